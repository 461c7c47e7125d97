"""REFI-QDA .qdc codebook import and export."""
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from suggest.cli import main
from suggest.codebook import Code, Codebook, load_codebook
from suggest.codebook.qdc import NS, code_guid, read_qdc, write_qdc
from suggest.errors import CodebookError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "training_data" / "retake" / "codebook.yaml"

# The shape NVivo writes: every node codable, folders not codable, nesting, colours, braces in
# guids, some nodes without a description, and a Sets block.
NVIVO = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{NS}" origin="NVivo 14.23.0">
  <Codes>
    <Code guid="{{6A3F1C2E-0B7D-4E55-9A61-2D5E8C7B1F01}}" name="Barriers" isCodable="false" color="#FF0000">
      <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f02" name="Lack of time" isCodable="true" color="#FF8080">
        <Description>Staff say they have no time
          for the intervention.</Description>
        <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f03" name="Caseload" isCodable="true"/>
      </Code>
      <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f04" name="Café culture" isCodable="true">
        <Description>Informal talk in the staff room.</Description>
      </Code>
    </Code>
    <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f05" name="Facilitators" isCodable="false">
      <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f06" name="Lack of time" isCodable="true">
        <Description>Protected time makes it easier.</Description>
      </Code>
    </Code>
    <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f07" name="Miscellaneous" isCodable="true">
      <Description/>
    </Code>
    <Code guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f08" name="Empty folder" isCodable="false"/>
  </Codes>
  <Sets>
    <Set guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f09" name="Key themes">
      <MemberCode guid="6a3f1c2e-0b7d-4e55-9a61-2d5e8c7b1f02"/>
    </Set>
  </Sets>
</CodeBook>
"""


def write(tmp_path: Path, text: str, name: str = "nvivo-export.qdc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_codebook_round_trips_with_its_hash(tmp_path):
    cb = Codebook.from_yaml(SHIPPED)
    out = write_qdc(cb, tmp_path / "any-file-name.qdc")
    back = load_codebook(out)
    assert back == cb and back.hash == cb.hash
    assert back.ids == cb.ids and back.domains == cb.domains == ("context", "mechanism", "outcome")
    assert [c.domain for c in back] == [c.domain for c in cb]
    # and back to YAML through the CLI
    assert main(["codebook", str(out), "--export", str(tmp_path / "again.yaml")]) == 0
    assert Codebook.from_yaml(tmp_path / "again.yaml").hash == cb.hash


def test_export_structure_follows_the_schema(tmp_path):
    cb = Codebook.from_yaml(SHIPPED)
    root = ET.parse(write_qdc(cb, tmp_path / "cb.qdc")).getroot()
    assert root.tag == f"{{{NS}}}CodeBook"
    parents = root.findall(f"{{{NS}}}Codes/{{{NS}}}Code")
    assert [(p.get("name"), p.get("isCodable")) for p in parents] == [
        ("context", "false"), ("mechanism", "false"), ("outcome", "false")]
    m1 = parents[1].find(f"{{{NS}}}Code")
    assert m1.get("name") == "M1 Collective understanding" and m1.get("isCodable") == "true"
    assert m1.find(f"{{{NS}}}Description").text == cb.get("M1").definition
    assert m1.get("guid") == code_guid("retake-mentoring", "M1")


def test_guids_are_deterministic(tmp_path):
    cb = Codebook.from_yaml(SHIPPED)
    a = write_qdc(cb, tmp_path / "a.qdc").read_bytes()
    b = write_qdc(cb, tmp_path / "b.qdc").read_bytes()
    assert a == b
    guids = [el.get("guid") for el in ET.fromstring(a).iter(f"{{{NS}}}Code")]
    assert len(set(guids)) == len(guids) == 14 + 3
    assert code_guid("retake-mentoring", "M1") != code_guid("other-codebook", "M1")


def test_flat_codebook_has_no_domains_either_way(tmp_path):
    cb = Codebook(name="fft", codes=(Code("staff", "Staff attitude", "How staff treat people."),
                                     Code("wait", "Waiting", "Time spent waiting.")))
    root = ET.parse(write_qdc(cb, tmp_path / "fft.qdc")).getroot()
    assert all(el.get("isCodable") == "true" for el in root.iter(f"{{{NS}}}Code"))
    assert read_qdc(tmp_path / "fft.qdc") == cb


def test_foreign_nvivo_file_imports_nested_codes_as_domains(tmp_path):
    cb = read_qdc(write(tmp_path, NVIVO), allow_empty_definitions=True)
    assert cb.name == "nvivo-export" and cb.version == "1"
    assert cb.domains == ("Barriers", "Facilitators")
    assert cb.ids == ["lack-of-time", "caseload", "cafe-culture", "lack-of-time-2", "miscellaneous"]
    assert [c.domain for c in cb] == ["Barriers", "Barriers", "Barriers", "Facilitators", None]
    assert cb.get("lack-of-time").definition == "Staff say they have no time for the intervention."
    assert cb.get("cafe-culture").name == "Café culture"
    assert cb.get("caseload").definition == "Caseload"  # no description: the name stands in


def test_codes_without_description_are_named(tmp_path):
    with pytest.raises(CodebookError) as err:
        read_qdc(write(tmp_path, NVIVO))
    text = str(err.value)
    assert "nvivo-export.qdc" in text and "2 code(s) have no description" in text
    assert "'Caseload'" in text and "'Miscellaneous'" in text


def test_cli_reads_a_foreign_file_and_reports_missing_descriptions(tmp_path, capsys):
    path = write(tmp_path, NVIVO)
    assert main(["codebook", str(path)]) == 2
    assert "no description" in capsys.readouterr().err
    out = tmp_path / "o.yaml"
    assert main(["codebook", str(path), "--allow-empty-definitions", "--export", str(out)]) == 0
    assert Codebook.from_yaml(out).ids[0] == "lack-of-time"


def test_malformed_xml_names_file_and_line(tmp_path):
    broken = NVIVO.replace("</Description>\n        <Code guid", "</Descr>\n        <Code guid", 1)
    with pytest.raises(CodebookError) as err:
        read_qdc(write(tmp_path, broken))
    assert "line 7, column 33" in str(err.value) and "nvivo-export.qdc" in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "export only the codebook"),
    ('<CodeBook><Codes/></CodeBook>', "without a namespace"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes/></CodeBook>',
     "namespace 'urn:QDA-XML:codebook:1:0'"),
    ('<html><body/></html>', "root element is <html>"),
])
def test_unknown_root_or_namespace_is_refused(tmp_path, text, expected):
    with pytest.raises(CodebookError, match="not a REFI-QDA codebook") as err:
        read_qdc(write(tmp_path, text))
    assert expected in str(err.value)


def test_ids_are_restored_only_when_the_guid_proves_them(tmp_path):
    cb = Codebook.from_yaml(SHIPPED)
    text = write_qdc(cb, tmp_path / "cb.qdc").read_text(encoding="utf-8")
    # a code added later in a QDA program, whose name happens to start with a word
    added = ('<Code guid="11111111-2222-3333-4444-555555555555" name="Peer support" isCodable="true">'
             '<Description>Help from other therapists.</Description></Code></Code>')
    text = text.replace("</Code>\n    </Code>\n    <Code", "</Code>" + added + "\n    <Code", 1)
    back = read_qdc(write(tmp_path, text, "edited.qdc"))
    assert back.ids == cb.ids[:2] + ["peer-support"] + cb.ids[2:]
    assert back.get("peer-support").domain == "context"


def test_load_codebook_refuses_unknown_suffix(tmp_path):
    with pytest.raises(CodebookError, match="unknown codebook format '.txt'"):
        load_codebook(write(tmp_path, "name: x", "cb.txt"))


def test_export_refuses_unknown_suffix_and_leaves_no_file(tmp_path, capsys):
    assert main(["codebook", str(SHIPPED), "--export", str(tmp_path / "cb.docx")]) == 2
    assert "unsupported output type" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
