"""REFI-QDA projects (.qdpx): import as coded data and sources, export validated against Project.xsd, round trip."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from suggest.codebook import Code, Codebook
from suggest.errors import DataError
from suggest.qdpx import coded_long, export_qdpx, read_qdpx
from suggest.segment import Segmenter
from suggest.store import Store
from test_store import stub_model, tiny_batch

XSD = Path(__file__).parents[1] / "data" / "refi-qda" / "Project.xsd"
RULE = Segmenter(sentencizer="rule")

# The shape MAXQDA 24 and QualCoder write: users with names, a nested code tree with descriptions
# (parents codable too), sources as internal:// text files and inline text, selections per user,
# plus a PDF source (skipped).
U1, U2 = "A1B2C3D4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"
G = "{%s-1111-4111-8111-111111111111}"
MOTHER = ("Mentoring sessions were arranged at the hospital. The mentor explained the return to work plan. "
          "Nothing else happened that week, apart from the rain.")
INLINE = "Employer meeting went well. The manager agreed to a phased return."


def _sel(guid, start, end, user, code):
    return (f'<PlainTextSelection guid="{guid}" name="s" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{user}"><Coding guid="{guid[:-4]}9999" creatingUser="{user}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def maxqda_like(path: Path, *, selection=None, code_ref=None) -> Path:
    c_parent, c_m1, c_m2, c_o1 = (G % f"0000000{i}" for i in range(1, 5))
    s1 = MOTHER.index("The mentor explained")
    e1 = s1 + len("The mentor explained the return to work plan.")
    sels = [_sel("c0ffee00-0000-4000-8000-000000000001", 0, 50, U1, code_ref or c_m1),
            _sel("c0ffee00-0000-4000-8000-000000000002", s1, e1, U1, c_m2),
            _sel("c0ffee00-0000-4000-8000-000000000003", s1, e1, U2, c_m2),
            _sel("c0ffee00-0000-4000-8000-000000000004", 0, 50, U2, c_m1)]
    if selection:
        sels.append(_sel("c0ffee00-0000-4000-8000-000000000005", *selection, U1, c_m1))
    inline_end = len("Employer meeting went well.")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Mentoring study" origin="MAXQDA 24">
  <Users><User guid="{U1}" name="Rosa"/><User guid="{U2}" name="Tom"/></Users>
  <CodeBook><Codes>
    <Code guid="{c_parent}" name="Mechanisms" isCodable="true" color="#FF0000">
      <Description>How mentoring works.</Description>
      <Code guid="{c_m1}" name="Practical support" isCodable="true"><Description>Help with arrangements.</Description></Code>
      <Code guid="{c_m2}" name="Explaining the plan" isCodable="true"><Description>The mentor explains.</Description></Code>
    </Code>
    <Code guid="{c_o1}" name="Return to work" isCodable="true"><Description>Back at work.</Description></Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{G % 'aaaaaaaa'}" name="Mother interview.txt" plainTextPath="internal://{G % 'aaaaaaaa'}.txt"
                creatingUser="{U1}">
      {''.join(sels)}
    </TextSource>
    <TextSource guid="{G % 'bbbbbbbb'}" name="Employer note">
      <PlainTextContent>{INLINE}</PlainTextContent>
      {_sel("c0ffee00-0000-4000-8000-000000000006", 0, inline_end, U2, c_o1)}
    </TextSource>
    <PDFSource guid="{G % 'cccccccc'}" name="Leaflet.pdf" path="internal://leaflet.pdf"/>
  </Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{G % 'aaaaaaaa'}.txt", MOTHER.encode("utf-8"))
    return path


def test_maxqda_like_project_imports_codes_coders_and_spans(tmp_path):
    project = read_qdpx(maxqda_like(tmp_path / "p.qdpx"))
    cb = project.codebook
    assert [c.name for c in cb] == ["Mechanisms", "Practical support", "Explaining the plan", "Return to work"]
    assert cb.get("practical-support").definition == "Help with arrangements."
    assert cb.name == "Mentoring study"
    assert [d.document_id for d in project.documents] == ["mother-interview", "employer-note"]
    assert project.documents[0].text == MOTHER
    assert project.skipped == {"PDFSource": 1}
    text_of = {project.guid_of[d.document_id]: d.text for d in project.documents}
    spans = {(s.coder, text_of[s.source_guid][s.start:s.end][:20], s.code) for s in project.selections}
    assert ("Rosa", "Mentoring sessions w", "practical-support") in spans
    assert ("Tom", "The mentor explained", "explaining-the-plan") in spans
    assert ("Tom", "Employer meeting wen", "return-to-work") in spans
    long = coded_long(project, RULE)
    assert set(long["coder"]) == {"Rosa", "Tom"}
    coded = long[long["code"] != ""]
    s1 = MOTHER.index("The mentor explained")
    plan = f"mother-interview@{s1}-{s1 + len('The mentor explained the return to work plan.')}"
    assert set(zip(coded["coder"], coded["excerpt_id"], coded["code"])) == {
        ("Rosa", "mother-interview@0-50", "practical-support"), ("Tom", "mother-interview@0-50", "practical-support"),
        ("Rosa", plan, "explaining-the-plan"), ("Tom", plan, "explaining-the-plan"),
        ("Tom", "employer-note@0-27", "return-to-work")}
    # the uncoded rest of a coded source is "no code" for the source's coders only
    rest = long[(long["code"] == "") & long["text"].str.contains("rain")]
    assert set(rest["coder"]) == {"Rosa", "Tom"}
    rest2 = long[(long["code"] == "") & long["text"].str.contains("phased")]
    assert set(rest2["coder"]) == {"Tom"}


def test_parents_as_domains(tmp_path):
    cb = read_qdpx(maxqda_like(tmp_path / "p.qdpx"), parents_as_domains=True).codebook
    assert cb.get("practical-support").domain == "Mechanisms"
    assert cb.get("return-to-work").domain is None


@pytest.mark.parametrize("kind", ["outside", "unknown-code", "corrupt"])
def test_bad_project_is_refused_clearly_and_imports_nothing(tmp_path, kind, capsys):
    from suggest.cli import main

    path = tmp_path / "bad.qdpx"
    if kind == "outside":
        maxqda_like(path, selection=(100, 100 + len(MOTHER)))
        expect = "outside the source's text"
    elif kind == "unknown-code":
        maxqda_like(path, code_ref="99999999-0000-4000-8000-000000000000")
        expect = "not a codable code"
    else:
        good = maxqda_like(tmp_path / "good.qdpx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
        expect = "not a zip archive"
    with pytest.raises(DataError, match=expect) as err:
        read_qdpx(path)
    assert "bad.qdpx" in str(err.value)
    rc = main(["train", "--data", str(path), "--out", str(tmp_path / "model"), "--no-track", "--quiet"])
    assert rc != 0 and expect in capsys.readouterr().err
    assert not (tmp_path / "model").exists()


CB = Codebook(name="tiny", codes=(Code("A", "Alpha", "About alpha."), Code("B", "Beta", "About beta."),
                                  Code("C", "Gamma", "About gamma.")))


@pytest.fixture
def reviewed_project(tmp_path):
    path = tmp_path / "project.sqlite"
    with Store.open(path, create=True) as store:
        store.add_batch(stub_model(), *tiny_batch())
        store.decide("amira", "e1", "A", "accept")
        store.decide("amira", "e2", "B", "accept")
        store.decide("amira", "e2", "C", "reject")
        store.decide("amira", "e3", "A", "add")
        store.decide("joel", "e1", "A", "reject")
        store.decide("joel", "e1", "C", "add")
        store.decide("joel", "e2", "B", "accept")  # e2 unfinished for joel (C undecided): not exported
    return path


def _validate(qdpx: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    with zipfile.ZipFile(qdpx) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    schema.assertValid(doc)


def test_export_validates_against_project_xsd_and_round_trips(reviewed_project, tmp_path):
    out = tmp_path / "out.qdpx"
    with Store.open(reviewed_project, read_only=True) as store:
        _, counts = export_qdpx(store, out, include_suggestions=True)
        reviewed = {(coder, eid, code) for coder in ("amira", "joel")
                    for eid, codes in store.snapshot(coder).reviewed(coder).items() for code in codes}
        offsets = {e["id"]: (e["start_offset"], e["end_offset"]) for e in store.snapshot().excerpts}
    _validate(out)
    assert counts["users"] == 3
    project = read_qdpx(out)
    assert project.codebook == CB  # ids, names, definitions come back
    back = {(s.coder, (s.start, s.end), s.code) for s in project.selections if not s.coder.startswith("model:")}
    assert back == {(c, offsets[e], code) for c, e, code in reviewed}
    assert ("joel", offsets["e2"], "B") not in back
    model = {((s.start, s.end), s.code) for s in project.selections if s.coder == "model:tiny-v1"}
    assert model == {(offsets["e1"], "A"), (offsets["e2"], "B"), (offsets["e2"], "C")}
    # and as coded data: the same (coder, span, code) set
    long = coded_long(project, RULE)
    coded = long[(long["code"] != "") & ~long["coder"].str.startswith("model:")]
    spans = {tuple(map(int, e.rpartition("@")[2].split("-"))) for e in coded["excerpt_id"]}
    assert spans <= set(offsets.values())


def test_schema_check_can_fail(tmp_path):
    from lxml import etree

    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"><Users/></Project>')
    with pytest.raises(etree.DocumentInvalid):
        _validate(bad)


def test_batch_reads_the_sources_of_a_project(tmp_path):
    from suggest.ingest import load_excerpts

    docs, excerpts = load_excerpts([maxqda_like(tmp_path / "p.qdpx")], segmenter=RULE)
    assert [d.document_id for d in docs] == ["mother-interview", "employer-note"]
    assert any("phased return" in e.text for e in excerpts)
