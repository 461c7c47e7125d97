"""The review server's API and safety rules (Flask test client on a real project file)."""
from __future__ import annotations

import pytest

from suggest.review.app import create_app
from suggest.store import Store
from test_review_support import make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project.sqlite")


def client_for(project, coder="amira"):
    app = create_app(project, coder)
    return app, app.test_client()


def post(client, app, path, body, token=True):
    headers = {"X-Suggest-Token": app.config["TOKEN"], "Origin": "http://localhost"} if token else {}
    return client.post(path, json=body, headers=headers)


def test_page_and_headers(project):
    app, client = client_for(project)
    resp = client.get("/")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    html = resp.get_data(as_text=True)
    assert "<script src=" in html and "<script>" not in html and "http" not in html.split("<body>")[0].replace(
        "http-equiv", "")
    assert client.get("/static/review.js").status_code == 200


def test_writes_need_the_page_token_and_json(project):
    app, client = client_for(project)
    eid = client.get("/api/items").get_json()["items"][0]["id"]
    assert post(client, app, "/api/decide", {"excerpt_id": eid, "code": "", "action": "accept"},
                token=False).status_code == 403
    form = client.post("/api/decide", data={"excerpt_id": eid, "code": "", "action": "accept"},
                       headers={"X-Suggest-Token": app.config["TOKEN"]})
    assert form.status_code == 403
    with Store.open(project) as store:
        assert store.decision_rows() == []


def test_foreign_host_header_is_refused(project):
    app, client = client_for(project)
    assert client.get("/api/meta", headers={"Host": "evil.example:8765"}).status_code == 403


def test_decide_commits_before_answering_and_coders_are_blind(project):
    app, client = client_for(project, "amira")
    items = client.get("/api/items").get_json()
    view = client.get(f"/api/excerpt/{items['items'][0]['id']}").get_json()
    code = view["suggestions"][0]["code"] if view["suggestions"] else ""
    resp = post(client, app, "/api/decide", {"excerpt_id": view["id"], "code": code, "action": "accept"})
    body = resp.get_json()
    assert body["saved"] is True
    with Store.open(project) as store:  # a separate connection sees it at once
        assert [r.id for r in store.decision_rows("amira")] == [body["decision_id"]]
    app2, ben = client_for(project, "ben")
    seen = ben.get(f"/api/excerpt/{view['id']}").get_json()
    assert all(s["decision"] is None for s in seen["suggestions"]) and seen["no_code"] is None
    assert ben.get("/api/items").get_json()["progress"]["reviewed"] == 0


def test_bad_decision_is_not_saved(project):
    app, client = client_for(project)
    eid = client.get("/api/items").get_json()["items"][0]["id"]
    resp = post(client, app, "/api/decide", {"excerpt_id": eid, "code": "NOPE", "action": "accept"})
    assert resp.status_code == 400 and resp.get_json()["saved"] is False
    assert "NOPE" in resp.get_json()["error"]


def test_filters(project):
    app, client = client_for(project)
    meta = client.get("/api/meta").get_json()
    doc = meta["documents"][0]
    items = client.get("/api/items", query_string={"document": doc}).get_json()["items"]
    with Store.open(project) as store:
        snap = store.snapshot()
    assert [i["id"] for i in items] == [e["id"] for e in snap.excerpts if e["document_id"] == doc]
    high = client.get("/api/items", query_string={"min_score": "0.5"}).get_json()["items"]
    assert {i["id"] for i in high} == {e for e, ss in snap.suggestions.items() if any(s["score"] >= 0.5 for s in ss)}
    code = next(iter(snap.suggestions.values()))[0]["code"]
    by_code = client.get("/api/items", query_string={"code": code}).get_json()["items"]
    assert {i["id"] for i in by_code} == {e for e, ss in snap.suggestions.items() if code in {s["code"] for s in ss}}
    assert client.get("/api/items", query_string={"status": "reviewed"}).get_json()["items"] == []


def _first_item(client):
    return client.get("/api/items").get_json()["items"][0]["id"]


def test_writes_need_an_origin_of_this_server(project):
    """Issue 11, item 8: a state-changing request from another origin, or naming none, is refused."""
    app, client = client_for(project)
    eid = _first_item(client)
    body = {"excerpt_id": eid, "code": "", "action": "accept"}
    token = {"X-Suggest-Token": app.config["TOKEN"]}
    for headers in ({}, {"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Referer": "http://evil.example/page"}, {"Origin": "http://localhost.evil.example"}):
        assert client.post("/api/decide", json=body, headers={**token, **headers}).status_code == 403, headers
    with Store.open(project) as store:
        assert store.decision_rows() == []
    assert client.post("/api/decide", json=body, headers={**token, "Referer": "http://localhost/"}).status_code == 200
    assert client.post("/api/undo", json={}, headers={**token, "Origin": "http://localhost"}).status_code == 200


def test_a_session_secret_guards_every_request(project):
    """Issue 11, item 8: with a secret (always, under `suggest review`), nothing is served without it."""
    app = create_app(project, "amira", secret="s3cret")
    client = app.test_client()
    for path in ("/", "/api/meta", "/api/items", "/static/review.js", "/?key=wrong"):
        resp = client.get(path)
        assert resp.status_code == 403 and app.config["TOKEN"] not in resp.get_data(as_text=True), path
    first = client.get("/?key=s3cret")
    assert first.status_code == 303 and first.headers["Location"].endswith("/")
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the cookie now carries the secret
    assert client.get("/api/meta").status_code == 200
    other = app.test_client()
    assert other.get("/api/items").status_code == 403


def test_request_bodies_and_notes_are_capped(project):
    """Issue 11, item 4: a 5 MB note is refused; the project keeps nothing of it."""
    from suggest.review.app import MAX_NOTE

    app, client = client_for(project)
    eid = _first_item(client)
    huge = post(client, app, "/api/decide", {"excerpt_id": eid, "code": "", "action": "accept", "note": "x" * 5_000_000})
    assert huge.status_code == 413
    long = post(client, app, "/api/decide", {"excerpt_id": eid, "code": "", "action": "accept",
                                             "note": "x" * (MAX_NOTE + 1)})
    assert long.status_code == 400 and "note" in long.get_json()["error"]
    with Store.open(project) as store:
        assert store.decision_rows() == []
