"""The review page opens at the coder's first undecided excerpt (real Chromium, real server)."""
from __future__ import annotations

import pytest

from suggest.store import Store
from test_review_support import launch, make_project, needs_chromium, start_server

pytestmark = [pytest.mark.slow, needs_chromium]


def test_page_resumes_at_first_undecided_excerpt(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    project = make_project(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        snap = store.snapshot(text=True)
        for ex in snap.excerpts[:3]:  # amira finished the first three
            sugg = snap.suggestions.get(ex["id"], [])
            for s in sugg:
                store.decide("amira", ex["id"], s["code"], "accept")
            if not sugg:
                store.decide("amira", ex["id"], "", "accept")
        fourth = snap.excerpts[3]["text"]
    proc, url = start_server(project, "amira")
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url)
            expect(page.locator("#nav-position")).to_have_text(f"4 / {len(snap.excerpts)}")
            expect(page.locator("#excerpt")).to_contain_text(fourth[:40])
            browser.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
