"""Team rows on SQLite and PostgreSQL: memos, consensus, assignment rounds; the disagreement list and
the consensus in exports and training; clear errors for a server that cannot be reached."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy.exc import DatabaseError

from suggest.corpus import CodedCorpus
from suggest.errors import StoreError, UnknownCodeError
from suggest.store import Store
from suggest.store.coded import coded_table
from suggest.store.training import decisions_as_long
from suggest.team.adjudicate import disagreements
from test_store import sql, stub_model, tiny_batch


@pytest.fixture
def project(project_target):
    return two_coders(project_target)


def two_coders(project_target):
    """e1 (suggests A), e2 (B, C), e3 (nothing); amira and ben disagree on e2 (C) and e3 (B), agree on e1."""
    with Store.open(project_target, create=True) as store:
        store.add_batch(stub_model(), *tiny_batch())
        for coder in ("amira", "ben"):
            store.decide(coder, "e1", "A", "accept")
            store.decide(coder, "e2", "B", "accept")
        store.decide("amira", "e2", "C", "accept")
        store.decide("ben", "e2", "C", "reject")
        store.decide("amira", "e3", "", "accept")
        store.decide("ben", "e3", "B", "add")
        store.decide("cara", "e2", "B", "reject")  # cara has not finished e2: she does not count there
    return project_target


def test_disagreement_list_is_exactly_the_split_excerpts(project):
    with Store.open(project) as store:
        found = disagreements(store.snapshot())
        assert [(d.excerpt_id, d.split, d.agreed) for d in found] == [("e2", ["C"], ["B"]), ("e3", ["B"], [])]
        assert found[0].codings == {"amira": ["B", "C"], "ben": ["B"]}
        assert not any(d.settled for d in found)
        store.decide("ben", "e2", "C", "accept")  # ben changes his mind: e2 is no longer split
        assert [d.excerpt_id for d in disagreements(store.snapshot())] == ["e3"]
        assert [d.excerpt_id for d in disagreements(store.snapshot(), exclude=("ben",))] == []


def test_consensus_replaces_the_coders_in_export_and_training(project):
    with Store.open(project) as store:
        with pytest.raises(StoreError, match="reason"):
            store.decide_consensus("e2", ["B"], "kate", "  ")
        with pytest.raises(UnknownCodeError):
            store.decide_consensus("e2", ["Z"], "kate", "why")
        store.decide_consensus("e2", ["B", "C"], "kate", "first go")
        store.decide_consensus("e2", ["B"], "kate", "C needs an explicit trigger; none here")
        assert store.consensus()["e2"]["codes"] == ["B"]
        assert disagreements(store.snapshot())[0].consensus["reason"].startswith("C needs")
        table = coded_table(store)
    e2 = table[table["excerpt_id"] == "e2"]
    assert e2[["coder", "code", "action"]].values.tolist() == [["consensus", "B", "consensus"]]
    assert set(table[table["excerpt_id"] == "e1"]["coder"]) == {"amira", "ben"}  # unsettled: the coders
    with Store.open(project) as store:
        assert sorted(coded_table(store, "amira")["code"]) == ["", "A", "B", "C"]  # one coder's own coding
    long, codebook, extra = decisions_as_long(project)
    Y = dict(zip(*(lambda c: (c.ids, c.Y.tolist()))(CodedCorpus.from_long(long, codebook))))
    assert Y["e2"] == [0, 1, 0]  # amira's C (a 1-of-2 tie, positive without a consensus) is gone
    assert extra["consensus_excerpts"] == 1 and "consensus" in extra["coders"]
    with pytest.raises(DatabaseError, match="append-only"):
        sql(project, "DELETE FROM consensus")


def test_memos_are_append_only_and_the_latest_counts(project):
    with Store.open(project) as store:
        store.write_memo("amira", "e1", "Sounds like peer support.")
        store.write_memo("amira", "e1", "Peer support, clearly.")
        store.write_memo("amira", "e2", "C only by implication", code="C")
        store.write_memo("ben", "e1", "Unsure.")
        with pytest.raises(UnknownCodeError):
            store.write_memo("amira", "e1", "x", code="Z")
        with pytest.raises(StoreError, match="not in this project"):
            store.write_memo("amira", "nope", "x")
        assert [(m["excerpt_id"], m["code"], m["text"]) for m in store.memos("amira")] == [
            ("e1", "", "Peer support, clearly."), ("e2", "C", "C only by implication")]
        store.write_memo("ben", "e1", "")  # cleared: gone from the current memos, kept in the rows
        assert store.memos("ben") == [] and len(store.memo_rows("ben")) == 2
    for stmt in ("UPDATE memos SET text = 'x'", "DELETE FROM memos"):
        with pytest.raises(DatabaseError, match="append-only"):
            sql(project, stmt)


def test_assignment_rounds_latest_counts(project):
    with Store.open(project) as store:
        assert store.assignment() == {}
        assert store.save_assignment([("e1", "amira", True), ("e1", "ben", True), ("e2", "amira", False)]) == 1
        assert store.save_assignment([("e2", "ben", False), ("e3", "amira", False)]) == 2
        assert store.assignment() == {"e2": {"ben": False}, "e3": {"amira": False}}
        assert store.assignment("amira") == {"e3": {"amira": False}}
        with pytest.raises(StoreError, match="not in this project"):
            store.save_assignment([("zz", "amira", False)])
        assert store.assignment("ben") == {"e2": {"ben": False}}


def test_agree_project_before_and_after_adjudication(tmp_path, capsys):
    from suggest.cli import main

    project = two_coders(tmp_path / "project.sqlite")  # the report is the same on both back ends
    with Store.open(project) as store:
        store.decide_consensus("e2", ["B"], "kate", "no trigger for C")
    assert main(["agree", "--project", str(project), "--out", str(tmp_path / "agr"), "--n-boot", "20",
                 "--no-track"]) == 0
    out = capsys.readouterr().out
    assert "2 excerpts with a disagreement between coders; 1 settled by a lead, 1 still open" in out
    before = pd.read_csv(tmp_path / "agr" / "adjudication" / "before" / "agreement.csv")
    after = pd.read_csv(tmp_path / "agr" / "adjudication" / "after" / "agreement.csv")
    assert "Before and after adjudication" in (tmp_path / "agr" / "report.html").read_text(encoding="utf-8")
    pick = lambda t, code: t[(t["scope"] == "code") & (t["code"] == code)]["percent_agreement"].iloc[0]  # noqa: E731
    assert pick(before, "C") == pytest.approx(2 / 3) and pick(after, "C") == pytest.approx(1.0)
    assert pick(before, "B") == pick(after, "B") == pytest.approx(2 / 3)  # e3's split on B is still open


def test_server_errors_say_what_to_do(postgres_server):
    missing = postgres_server.url + "/no_such_project"
    with pytest.raises(StoreError, match="database 'no_such_project' does not exist") as err:
        Store.open(missing)
    assert "createdb" in str(err.value)
    from postgres_server import _free_port

    with pytest.raises(StoreError, match="cannot connect to the database server 127.0.0.1") as err:
        Store.open(f"postgresql://someone@127.0.0.1:{_free_port()}/team")
    assert "server is running" in str(err.value)
    with pytest.raises(StoreError, match="the database is empty"):
        Store.open(postgres_server.new_database())


def test_batch_into_an_empty_team_database(postgres_server, fake_model_dir, tmp_path, capsys):
    from suggest.cli import main

    table = tmp_path / "comments.csv"
    pd.DataFrame({"excerpt_id": ["c1", "c2", "c3"], "text": ["My mentor rang every week.", "Back at work now.",
                                                            "The forms were long."]}).to_csv(table, index=False)
    url = postgres_server.new_database().replace("postgresql://postgres@", "postgresql://postgres:s3cret@")
    assert main(["batch", "--model", str(fake_model_dir), str(table), "--out", str(tmp_path / "s.csv"),
                 "--project", url, "--quiet"]) == 0
    assert "s3cret" not in capsys.readouterr().out
    with Store.open(url) as store:
        assert [e["id"] for e in store.snapshot().excerpts] == ["c1", "c2", "c3"]
        assert "s3cret" not in store.where


def test_review_page_says_when_the_team_database_is_gone(postgres_server):
    import psycopg

    from suggest.review.app import create_app

    url = postgres_server.create_database("gone")
    two_coders(url)
    app = create_app(url, "amira")
    client = app.test_client()
    headers = {"X-Suggest-Token": app.config["TOKEN"], "Origin": "http://localhost"}
    ok = client.post("/api/decide", json={"excerpt_id": "e1", "code": "A", "action": "reject"}, headers=headers)
    assert ok.status_code == 200 and ok.json["saved"] is True
    with psycopg.connect(postgres_server.url + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    gone = client.post("/api/decide", json={"excerpt_id": "e1", "code": "A", "action": "accept"}, headers=headers)
    assert gone.status_code in (400, 503) and gone.json["saved"] is False
    assert "does not exist" in gone.json["error"] and "nothing was changed" in gone.json["error"]
    assert client.get("/api/items").status_code == 503
    app.extensions["suggest_store"].close()


def test_memos_travel_in_the_qdpx_export(tmp_path):
    import zipfile
    from pathlib import Path

    from lxml import etree

    from suggest.qdpx import export_qdpx, read_qdpx

    project = two_coders(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        store.write_memo("amira", "e2", "C by implication only", code="C")  # amira coded e2: on her selection
        store.write_memo("cara", "e3", "Nothing to code <here> & there")  # cara coded nothing: on the document
        store.write_memo("ben", "e1", "first thought")
        store.write_memo("ben", "e1", "second thought")  # only the current memo travels
    out = tmp_path / "team.qdpx"
    with Store.open(project, read_only=True) as store:
        _, counts = export_qdpx(store, out)
    assert counts["memos"] == 3
    xsd = Path(__file__).parents[1] / "data" / "refi-qda" / "Project.xsd"
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    etree.XMLSchema(etree.parse(str(xsd))).assertValid(doc)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    notes = {n.get("guid"): (n.get("name"), n.findtext("q:PlainTextContent", namespaces=ns))
             for n in doc.iterfind(".//q:Notes/q:Note", ns)}
    assert sorted(t for _, t in notes.values()) == ["C by implication only", "Nothing to code <here> & there",
                                                     "second thought"]
    refs = {r.get("targetGUID"): r.getparent() for r in doc.iter("{urn:QDA-XML:project:1.0}NoteRef")}
    assert set(refs) == set(notes)
    by_text = {t: refs[g] for g, (_, t) in notes.items()}
    assert by_text["C by implication only"].tag.endswith("PlainTextSelection")
    assert by_text["C by implication only"].get("name") == "e2"
    assert by_text["Nothing to code <here> & there"].tag.endswith("TextSource")
    read_qdpx(out)  # our own reader still reads it
