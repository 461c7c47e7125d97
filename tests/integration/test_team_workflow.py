"""Team features end to end: a memo typed in the real page survives kill -9 and reaches the Excel
export; a lead settles a disagreement in the real adjudication page and export --csv and train
--project use the consensus; two coders on two servers write 300 decisions each at the same time
into one PostgreSQL database."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

import pytest

from suggest.store import Store
from test_review_support import free_port, launch, make_project, needs_chromium


@pytest.fixture
def servers():
    procs = []

    def start(args: list[str]) -> tuple[subprocess.Popen, str]:
        proc, url = start_cli(args)
        procs.append(proc)
        return proc, url

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()


def start_cli(args: list[str]) -> tuple[subprocess.Popen, str]:
    """Run `suggest ARGS --port P --no-browser` (review or adjudicate); returns (process, URL) once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "suggest", *args, "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"the server did not start: {line}{proc.stdout.read()}")
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, m.group(1)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not answer")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.mark.slow
@needs_chromium
def test_memo_survives_kill_once_saved_and_reaches_excel(tmp_path, browser, servers):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from suggest.cli import main

    project = make_project(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        snap = store.snapshot()
        texts = store.excerpt_texts()
    first = snap.excerpts[0]["id"]
    code = snap.suggestions[first][0]["code"] if snap.suggestions.get(first) else None
    with Store.open(project) as store:  # amira is assigned two excerpts: they come first, with progress
        store.save_assignment([(first, "amira", True), (first, "ben", True), (snap.excerpts[5]["id"], "amira", False)])
    proc, url = servers(["review", "--project", str(project), "--coder", "amira"])
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("#nav-position")).to_have_text("1 / 12")
    expect(page.locator("#assigned-text")).to_have_text("your assignment: 0 of 2")
    page.keyboard.press("n")
    expect(page.locator("#excerpt")).to_have_text(texts[snap.excerpts[5]["id"]]["text"])
    page.keyboard.press("p")
    expect(page.locator("#excerpt")).to_have_text(texts[first]["text"])
    status = page.locator("#status")
    page.keyboard.press("m")
    expect(page.locator("#memo-dialog")).to_be_visible()
    page.keyboard.type("Peer support from the mentor, not the therapist.")
    page.keyboard.press("Control+Enter")
    expect(status).to_have_text(f"Saved: memo on {first}.")
    expect(page.locator("#memos")).to_contain_text("On the excerpt:Peer support from the mentor")
    if code:  # a memo on a decision: accept the first suggestion, then m writes on it
        page.keyboard.press("1")
        page.keyboard.press("a")
        expect(status).to_contain_text(f"Saved: accepted {code}")
        page.keyboard.press("1")
        page.keyboard.press("m")
        expect(page.locator("#memo-target")).to_have_value(code)
        page.keyboard.type("Accepted, though the wording is indirect.")
        page.keyboard.press("Control+Enter")
        expect(status).to_have_text(f"Saved: memo on {code} of {first}.")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    out = tmp_path / "review.xlsx"
    assert main(["export", "--project", str(project), "--xlsx", str(out)]) == 0
    rows = list(load_workbook(out)["Memos"].iter_rows(values_only=True))
    assert rows[0][:5] == ("written_at", "coder", "excerpt_id", "code", "memo")
    memos = {(r[1], r[2], r[3] or "", r[4]) for r in rows[1:]}
    assert ("amira", first, "", "Peer support from the mentor, not the therapist.") in memos
    if code:
        assert ("amira", first, code, "Accepted, though the wording is indirect.") in memos
    assert main(["export", "--project", str(project), "--memos", str(tmp_path / "memos.csv")]) == 0
    assert "Peer support from the mentor" in (tmp_path / "memos.csv").read_text(encoding="utf-8")


def two_coders_disagree(project) -> tuple[list[str], dict]:
    """amira and ben review the first four excerpts with suggestions; they split on the 3rd and 4th.

    Returns (the excerpts they disagree on, in review order; {excerpt: suggested codes})."""
    with Store.open(project) as store:
        snap = store.snapshot()
        codebook = store.codebook()
        picked = [e["id"] for e in snap.excerpts if snap.suggestions.get(e["id"])][:4]
        suggested = {e: [s["code"] for s in snap.suggestions[e]] for e in picked}
        for i, eid in enumerate(picked):
            for code in suggested[eid]:
                store.decide("amira", eid, code, "accept")
                store.decide("ben", eid, code, "reject" if i == 2 and code == suggested[eid][0] else "accept")
            if i == 3:
                extra = next(c.id for c in codebook if c.id not in suggested[eid])
                store.decide("ben", eid, extra, "add")
    return picked[2:], suggested


@pytest.mark.slow
@needs_chromium
def test_lead_settles_a_disagreement_and_export_and_train_use_it(tmp_path, browser, servers):
    from playwright.sync_api import expect

    from suggest.cli import main
    from suggest.model import SuggestionModel

    project = make_project(tmp_path / "project.sqlite")
    split, suggested = two_coders_disagree(project)
    _, url = servers(["adjudicate", "--project", str(project), "--lead", "kate"])
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("#nav-position")).to_have_text("1 / 2")  # exactly the two split excerpts
    expect(page.locator("#progress-text")).to_have_text("0 of 2 settled")
    with Store.open(project) as store:
        texts = store.excerpt_texts(split)
    expect(page.locator("#excerpt")).to_have_text(texts[split[0]]["text"])
    table = page.locator("#side-by-side")
    expect(table.locator("th")).to_have_text(["Code", "amira", "ben", "Consensus"])
    first_code = suggested[split[0]][0]
    row = table.locator(f'tr[data-code="{first_code}"]')
    expect(row).to_have_class("split")
    expect(row.locator("td.mark")).to_have_text(["✓", "—"])
    expect(row.locator("input")).not_to_be_checked()  # only what both coders applied starts ticked
    page.keyboard.press("1")  # the lead applies the split code (first row)
    expect(row.locator("input")).to_be_checked()
    page.keyboard.press("r")
    page.keyboard.type("The mentor's encouragement is explicit here.")
    page.keyboard.press("Control+Enter")
    codes = sorted(suggested[split[0]])
    expect(page.locator("#status")).to_have_text(f"Saved: consensus on {split[0]} ({', '.join(codes)}).")
    expect(page.locator("#progress-text")).to_have_text("1 of 2 settled")
    page.keyboard.press("n")
    expect(page.locator("#excerpt")).to_have_text(texts[split[1]]["text"])
    with Store.open(project) as store:
        settled = store.consensus()
    assert list(settled) == [split[0]] and settled[split[0]]["lead"] == "kate"
    assert settled[split[0]]["reason"] == "The mentor's encouragement is explicit here."

    csv = tmp_path / "coded.csv"
    assert main(["export", "--project", str(project), "--csv", str(csv)]) == 0
    import pandas as pd

    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    settled = table[table["excerpt_id"] == split[0]]
    assert set(settled["coder"]) == {"consensus"} and sorted(settled["code"]) == codes
    assert set(table[table["excerpt_id"] == split[1]]["coder"]) == {"amira", "ben"}  # not settled yet

    out = tmp_path / "model"  # 60 coded excerpts from a file, plus the project's (the consensus where settled)
    from test_review_support import CODEBOOK, CODED

    coded = pd.read_csv(CODED, dtype=str, keep_default_na=False)
    coded[coded["excerpt_id"].isin(coded["excerpt_id"].drop_duplicates()[:60])].to_csv(tmp_path / "some.csv",
                                                                                      index=False)
    assert main(["train", "--data", str(tmp_path / "some.csv"), "--codebook", str(CODEBOOK), "--project",
                 str(project), "--out", str(out), "--kind", "lexical", "--encoder", "fake", "--no-track",
                 "--quiet"]) == 0
    model = SuggestionModel.load(out)
    y = model.evidence_Y[model.evidence_ids.index(split[0])]
    assert sorted(c for c, v in zip(model.codes, y) if v) == codes
    assert model.config["consensus_excerpts"] == 1


def _client(url: str):
    """(opener with the session cookie, base URL, page token) for a review server."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="suggest-token" content="([^"]+)"', html).group(1)
    return opener, url.split("?")[0].rstrip("/"), token


@pytest.mark.slow
def test_two_coders_two_servers_one_postgres_database(tmp_path, postgres_server, servers):
    """300 decisions per coder, two threads per server, both servers at once: each acknowledged
    decision is stored exactly once, under the coder who made it, with what was sent."""
    target = postgres_server.new_database()
    make_project(target)
    with Store.open(target) as store:
        snap = store.snapshot()
    plan = [(e["id"], s["code"]) for e in snap.excerpts for s in snap.suggestions.get(e["id"], [])]
    assert plan
    acks: dict[str, list[tuple[int, tuple]]] = {"amira": [], "ben": []}
    errors: list[str] = []

    def work(coder: str, client, offset: int, n: int) -> None:
        opener, base, token = client
        for k in range(offset, offset + n):
            eid, code = plan[k % len(plan)]
            sent = (coder, eid, code, "accept" if (k // len(plan)) % 2 == 0 else "reject")
            req = urllib.request.Request(base + "/api/decide", method="POST",
                                         data=json.dumps({"excerpt_id": eid, "code": code, "action": sent[3]}).encode(),
                                         headers={"Content-Type": "application/json", "X-Suggest-Token": token,
                                                  "Origin": base})
            try:
                body = json.loads(opener.open(req, timeout=60).read())
            except Exception as exc:  # noqa: BLE001  (recorded, then the test fails)
                errors.append(f"{coder} #{k}: {exc}")
                continue
            if body.get("saved") is True:
                acks[coder].append((body["decision_id"], sent))

    clients = {}
    for coder in ("amira", "ben"):
        _, url = servers(["review", "--project", target, "--coder", coder])
        clients[coder] = _client(url)
    threads = [threading.Thread(target=work, args=(coder, clients[coder], offset, 150))
               for coder in ("amira", "ben") for offset in (0, 150)]
    start = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    elapsed = time.time() - start
    assert not errors, errors[:3]
    with Store.open(target) as store:
        rows = store.decision_rows()
    stored = {r.id: (r.coder, r.excerpt_id, r.code, r.action) for r in rows}
    for coder in ("amira", "ben"):
        ids = [i for i, _ in acks[coder]]
        assert len(ids) == 300 and len(set(ids)) == 300, coder
        for i, sent in acks[coder]:
            assert stored[i] == sent  # stored once, with the coder and decision that was sent
    assert len(rows) == 600  # nothing stored that was not acknowledged
    print(f"\n600 decisions from two servers in {elapsed:.1f} s")
