"""The track record beside each suggested code in the review page (real Chromium, real server)."""
from __future__ import annotations

import pytest

from suggest.store import Store
from test_review_support import launch, make_project, needs_chromium, start_server

pytestmark = [pytest.mark.slow, needs_chromium]


def test_track_record_shows_other_excerpts_decisions_and_hides_with_scores(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    project = make_project(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        snap = store.snapshot()
        order = [ex["id"] for ex in snap.excerpts]
        pos, target = next((i, e) for i, e in enumerate(order)
                           if snap.suggestions.get(e) and sum(
                               snap.suggestions[e][0]["code"] in [s["code"] for s in snap.suggestions.get(o, [])]
                               for o in order if o != e) >= 2)
        code = snap.suggestions[target][0]["code"]
        others = [o for o in order if o != target and code in [s["code"] for s in snap.suggestions.get(o, [])]]
        # joel: accepts the code on all other excerpts but the last, rejects it there, and accepts it on
        # the excerpt on screen (which must not count); kate rejects then re-accepts on the first (one decision)
        for o in others[:-1]:
            store.decide("joel", o, code, "accept")
        store.decide("joel", others[-1], code, "reject")
        store.decide("joel", target, code, "accept")
        store.decide("kate", others[0], code, "reject")
        store.decide("kate", others[0], code, "accept")
    accepted, decided = len(others) - 1 + 1, len(others) + 1
    proc, url = start_server(project, "amira")
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url)
            expect(page.locator("#nav-position")).to_have_text(f"1 / {len(order)}")
            for _ in range(pos):
                page.keyboard.press("n")
            expect(page.locator("#nav-position")).to_have_text(f"{pos + 1} / {len(order)}")
            first = page.locator("#suggestions .sugg").first
            expect(first.locator(".code-id")).to_have_text(code)
            expect(first.locator(".track-record")).to_have_text(f"accepted {accepted} of {decided}")
            page.keyboard.press("h")
            expect(page.locator(".track-record")).to_have_count(0)
            expect(page.locator(".score-row")).to_have_count(0)
            page.keyboard.press("1")
            page.keyboard.press("a")
            expect(page.locator("#status")).to_have_text(f"Saved: accepted {code} on {target}.")
            page.keyboard.press("h")
            expect(first.locator(".track-record")).to_have_text(f"accepted {accepted} of {decided}")
            browser.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
    with Store.open(project) as store:
        mine = store.decision_rows("amira")
    assert [(r.code, r.action, r.scores_hidden) for r in mine] == [(code, "accept", True)]
