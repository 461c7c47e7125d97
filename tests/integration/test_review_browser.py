"""The review page in a real headless Chromium against the real server in a subprocess."""
from __future__ import annotations

import os
import signal

import pytest

from suggest.corpus import Document, Excerpt
from suggest.store import Store
from suggest.store.fold import fold
from test_review_support import batch_excerpts, launch, make_project, needs_chromium, start_server

pytestmark = [pytest.mark.slow, needs_chromium]

SCRIPT = "<script>window.pwned=1</script>"
IMG = '<img src=x onerror="window.pwned=1">'


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def server():
    procs = []

    def start(project, coder="amira"):
        proc, url = start_server(project, coder)
        procs.append(proc)
        return proc, url

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()


def first_with(project, n: int) -> tuple[int, dict]:
    """(position in review order, excerpt) of the first excerpt with at least n suggestions."""
    with Store.open(project) as store:
        snap = store.snapshot()
    for i, ex in enumerate(snap.excerpts):
        if len(snap.suggestions.get(ex["id"], [])) >= n:
            return i, {**ex, "codes": [s["code"] for s in snap.suggestions[ex["id"]]]}
    raise AssertionError(f"no excerpt with {n} suggestions in the test batch")


def test_keyboard_review_stores_exactly_those_decisions(tmp_path, browser, server):
    from playwright.sync_api import expect

    project = make_project(tmp_path / "project.sqlite")
    pos, ex = first_with(project, 2)
    _, url = server(project)
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("#nav-position")).to_have_text(f"1 / 12")
    for _ in range(pos):
        page.keyboard.press("n")
    expect(page.locator("#nav-position")).to_have_text(f"{pos + 1} / 12")
    status = page.locator("#status")
    page.keyboard.press("1")
    page.keyboard.press("a")
    expect(status).to_have_text(f"Saved: accepted {ex['codes'][0]} on {ex['id']}.")
    page.keyboard.press("2")
    page.keyboard.press("r")
    expect(status).to_have_text(f"Saved: rejected {ex['codes'][1]} on {ex['id']}.")
    expect(page.locator(".sugg.reject")).to_have_count(1)
    page.keyboard.press("u")
    expect(status).to_have_text(f"Saved: undid reject {ex['codes'][1]} on {ex['id']}.")
    expect(page.locator(".sugg.reject")).to_have_count(0)
    with Store.open(project) as store:
        missing = next(c for c in store.codebook() if c.id not in ex["codes"])
    page.keyboard.press("/")
    expect(page.locator("#search-dialog")).to_be_visible()
    page.keyboard.type(missing.name)
    expect(page.locator("#search-results .result").first).to_contain_text(missing.definition[:30])
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"Saved: added {missing.id} on {ex['id']}.")
    expect(page.locator("#added .added-item.add")).to_contain_text(missing.id)

    with Store.open(project) as store:
        rows = store.decision_rows()
    assert [(r.coder, r.excerpt_id, r.code, r.action) for r in rows] == [
        ("amira", ex["id"], ex["codes"][0], "accept"), ("amira", ex["id"], ex["codes"][1], "reject"),
        ("amira", ex["id"], ex["codes"][1], "undo"), ("amira", ex["id"], missing.id, "add")]
    assert rows[2].undoes == rows[1].id
    assert all(r.model_version == ex["model_version"] for r in rows)
    current = fold(rows)
    assert {k[2]: d.action for k, d in current.items()} == {ex["codes"][0]: "accept", missing.id: "add"}


def test_html_in_an_email_is_shown_as_text_and_runs_nothing(tmp_path, browser, server):
    from playwright.sync_api import expect

    documents, excerpts = batch_excerpts(n_docs=1)
    evil = [f"Please see {SCRIPT} attached.", f"Photo: {IMG} from the visit.", "Thanks, see you Monday."]
    body = "\n\n".join(evil)
    offsets = [body.index(t) for t in evil]
    documents.append(Document("evil-email", body, "email",
                              metadata={"sender": f"Attacker {IMG}", "subject": f"Hello {SCRIPT}", "date": "2020-01-01"}))
    excerpts += [Excerpt(f"evil-{i}", "evil-email", t, s, s + len(t), "email")
                 for i, (t, s) in enumerate(zip(evil, offsets), start=1)]
    project = make_project(tmp_path / "project.sqlite", documents, excerpts)
    _, url = server(project)
    page = browser.new_page()
    response = page.goto(url)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.select_option("#f-document", "evil-email")
    expect(page.locator("#excerpt")).to_have_text(evil[0])
    expect(page.locator("#doc-title")).to_have_text(f"Hello {SCRIPT}")
    expect(page.locator("#context-after .ctx").first).to_have_text(evil[1])
    expect(page.locator("#doc-fields")).to_contain_text(f"Attacker {IMG}")
    page.keyboard.press("n")
    expect(page.locator("#excerpt")).to_have_text(evil[1])
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("main img, header img, #doc-fields img").count() == 0
    assert page.locator("body script").count() == 0
    raw = page.request.get(url.split("?")[0] + "api/excerpt/evil-2").text()
    assert "<img" not in raw and "\\u003cimg" in raw


def test_every_saved_decision_survives_sigkill(tmp_path, browser, server):
    from playwright.sync_api import expect

    project = make_project(tmp_path / "project.sqlite")
    proc, url = server(project)
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("#nav-position")).to_have_text("1 / 12")
    with Store.open(project) as store:
        snap = store.snapshot()
    plan = []  # keys in review order: a/r per suggestion ("a" alone: no code applies), then n
    for i, ex in enumerate(snap.excerpts):
        n = len(snap.suggestions.get(ex["id"], []))
        plan += ["a" if k % 2 == 0 else "r" for k in range(max(n, 1))] + [f"n{i + 2}"]
    saved: list[int] = []
    for key in plan:
        if len(saved) == 8:
            break
        if key.startswith("n"):
            page.keyboard.press("n")
            expect(page.locator("#nav-position")).to_have_text(f"{key[1:]} / 12")
            continue
        with page.expect_response(lambda r: r.url.endswith("/api/decide")) as info:
            page.keyboard.press(key)
        body = info.value.json()
        assert body["saved"] is True
        saved.append(body["decision_id"])
        expect(page.locator("#status")).to_contain_text("Saved:")
    page.keyboard.press("n")
    page.keyboard.press("a")  # in flight, or not yet sent, when the server dies
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    with Store.open(project) as store:
        stored = {r.id for r in store.decision_rows("amira")}
    assert set(saved) <= stored and len(saved) == 8
    _, url = server(project)  # restart: the page shows the saved decisions
    page.goto(url)
    expect(page.locator("#progress-text")).to_contain_text("of 12 reviewed")
    with Store.open(project) as store:
        assert len(store.snapshot("amira").reviewed("amira")) >= 1


def rota_project(path) -> tuple:
    """A project with the fictional rota comments scored by a model with the 'stance' group (fake encoder)."""
    import pandas as pd

    from suggest.codebook import Codebook
    from suggest.corpus import CodedCorpus, read_long
    from suggest.suggestions import make_suggestions, score_texts
    from suggest.train import train
    from test_review_support import ROOT

    data = ROOT / "training_data" / "rota_feedback"
    cb = Codebook.from_yaml(data / "codebook.yaml")
    model = train(CodedCorpus.from_long(read_long(data / "coded.csv", cb), cb, coder="ana"), encoder_name="fake")
    rows = pd.read_csv(data / "new_batch.csv").head(3)
    body = "\n\n".join(rows["text"])
    starts = [body.index(t) for t in rows["text"]]
    documents = [Document("staff-survey", body, "survey")]
    excerpts = [Excerpt(e, "staff-survey", t, s, s + len(t), "survey") for e, t, s in zip(rows["excerpt_id"], rows["text"], starts)]
    parts = score_texts(model, rows["text"].tolist())
    table = make_suggestions(model, excerpts, parts["proba"], parts["embeddings"])
    with Store.open(path, create=True) as store:
        store.add_batch(model, documents, excerpts, parts["proba"], table)
    suggested = table[table["code"].str.startswith("ST-")].set_index("excerpt_id")["code"]
    return path, excerpts[0].excerpt_id, suggested[excerpts[0].excerpt_id]


def test_a_single_choice_group_is_one_choice(tmp_path, browser, server):
    """Choosing a group's code accepts or adds it and rejects the group's other suggested or added codes."""
    from playwright.sync_api import expect

    project, eid, suggested = rota_project(tmp_path / "rota.sqlite")
    other, third = [c for c in ("ST-POS", "ST-MIX", "ST-NEG") if c != suggested][:2]
    _, url = server(project)
    page = browser.new_page()
    page.goto(url)
    group = page.locator('fieldset.group-choice[data-group="stance"]')
    expect(group.locator("legend")).to_have_text("Stance towards the new rota: choose one")
    expect(group.locator('[role="radio"]')).to_have_count(3)
    expect(group.locator(f'[data-code="{suggested}"] .suggested')).to_have_text("suggested")
    expect(group.locator('[aria-checked="true"]')).to_have_count(0)
    group.locator(f'[data-code="{suggested}"]').click()
    expect(group.locator(f'[data-code="{suggested}"]')).to_have_attribute("aria-checked", "true")
    group.locator(f'[data-code="{other}"]').click()
    expect(group.locator(f'[data-code="{other}"]')).to_have_attribute("aria-checked", "true")
    expect(group.locator('[aria-checked="true"]')).to_have_count(1)
    expect(page.locator(".sugg.reject")).to_contain_text(suggested)
    group.locator(f'[data-code="{third}"]').click()
    expect(group.locator(f'[data-code="{third}"]')).to_have_attribute("aria-checked", "true")
    expect(page.locator("#status")).to_have_text(f"Saved: rejected {other} on {eid}.")
    with Store.open(project) as store:
        rows = store.decision_rows()
    current = {k[2]: d.action for k, d in fold(rows).items()}
    assert current == {suggested: "reject", other: "reject", third: "add"}
