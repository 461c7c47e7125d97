from pathlib import Path

import pytest

from suggest.codebook import Codebook
from suggest.errors import CodebookError, UnknownCodeError

GOOD = """
name: mini
version: 2
domains: [context, mechanism]
codes:
  - {id: C1, domain: context, name: Setting, definition: Where it happens.}
  - {id: M1, domain: mechanism, name: Support, definition: Help that arrives.}
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cb.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_codebook_has_14_codes_in_three_domains(codebook):
    assert len(codebook) == 14
    assert [len(codebook.by_domain(d)) for d in ("context", "mechanism", "outcome")] == [2, 9, 3]
    assert codebook.index("M1") == 2


def test_hash_is_stable_and_tracks_definitions(tmp_path):
    a = Codebook.from_yaml(write(tmp_path, GOOD))
    assert a.hash == Codebook.from_yaml(write(tmp_path, GOOD)).hash
    b = Codebook.from_yaml(write(tmp_path, GOOD.replace("Help that arrives.", "Help that comes early.")))
    assert a.hash != b.hash


def test_round_trip_through_yaml(tmp_path):
    a = Codebook.from_yaml(write(tmp_path, GOOD))
    a.to_yaml(tmp_path / "out.yaml")
    assert Codebook.from_yaml(tmp_path / "out.yaml").hash == a.hash


def test_domains_are_optional(tmp_path):
    cb = Codebook.from_yaml(write(tmp_path, "name: themes\ncodes:\n  - {id: food, name: Food, definition: Meals.}\n"))
    assert cb.get("food").domain is None


@pytest.mark.parametrize("text, needle", [
    (GOOD.replace("id: M1", "id: C1"), "duplicate id 'C1'"),
    (GOOD.replace("domain: mechanism, name", "domain: mechanisms, name"), "unknown domain 'mechanisms'"),
    (GOOD.replace("name: Support", "name: ''"), "empty name"),
    (GOOD.replace("definition: Where it happens.", "definition: ''"), "empty definition"),
    ("name: x\ncodes: []\n", "no codes found"),
    ("codes:\n  - {id: A, name: a, definition: d, colour: red}\n", "unknown field"),
])
def test_invalid_codebooks_name_the_entry(tmp_path, text, needle):
    with pytest.raises(CodebookError) as err:
        Codebook.from_yaml(write(tmp_path, text))
    assert needle in str(err.value)
    assert "cb.yaml" in str(err.value)


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(CodebookError, match=r"row \d+"):
        Codebook.from_yaml(write(tmp_path, "name: x\ncodes:\n  - id: A\n   name: [\n"))


def test_unknown_code_lookup(codebook):
    with pytest.raises(UnknownCodeError, match="M10"):
        codebook.index("M10")
