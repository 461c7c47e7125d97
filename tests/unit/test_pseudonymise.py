"""Pseudonymisation with the real spaCy pipeline: kinds, consistency, keep list, key file, recall on the set."""
from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest

from suggest.corpus import Document
from suggest.pseudonymise import Key, Pseudonymiser, nhs_number_valid

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlp():
    from suggest.pseudonymise.detect import build_pipeline

    return build_pipeline()


def fresh(nlp, **kw) -> Pseudonymiser:
    p = Pseudonymiser(**kw)
    p._nlp = nlp  # share the loaded pipeline between tests
    return p


def test_nhs_check_digit():
    assert nhs_number_valid("943 476 5919") and nhs_number_valid("9434765919")
    assert not nhs_number_valid("943 476 5918") and not nhs_number_valid("1234567890")


def test_every_kind_is_replaced_and_people_keep_one_placeholder(nlp):
    docs = [Document("a", "Hi Tomasz,\n\nDr Okafor saw Ottoline Quartermaine (NHS 943 476 5919, DOB 14/03/1961) at "
                          "27 Larch Road, LS6 2AB. Ring 07700 900417 or o.quartermaine@wyvern.example.\n\n"
                          "Best wishes,\nPriya", "email",
                     metadata={"sender": "Priya Shah <priya.shah@trust.example>", "to": "Tomasz Nowak <tn@x.example>",
                               "subject": "Ottoline's plan", "date": "2019-03-01T10:00:00+00:00"}),
            Document("b", "Ottoline said the ROC trial mentor helped. Okafor agreed; Shah will write. "
                          "The meeting on 14/03/2019 went well; reference 1234567890.", "email")]
    p = fresh(nlp, keep=["ROC trial"])
    a, b = p.documents(docs)
    for original in ("Tomasz", "Okafor", "Ottoline", "Quartermaine", "943 476 5919", "14/03/1961", "27 Larch Road",
                     "LS6 2AB", "07700 900417", "o.quartermaine@wyvern.example", "Priya", "Shah"):
        assert original not in a.text + b.text + str(a.metadata), original
    assert "[NHS number 1]" in a.text and "[Date of birth 1]" in a.text and "[Postcode 1]" in a.text
    assert re.fullmatch(r"\[Person 1\] <\[Email \d\]>", a.metadata["sender"]) and a.metadata["date"] == "2019-03-01T10:00:00+00:00"
    ottoline = p.key.placeholder("PERSON", "Ottoline Quartermaine")
    assert b.text.startswith(ottoline) and a.metadata["subject"].startswith(ottoline)
    assert p.key.placeholder("PERSON", "Priya") == "[Person 1]" and "[Person 1] will write" in b.text.replace(
        "Shah", "[Person 1]")
    assert "ROC trial" in b.text and "14/03/2019" in b.text and "1234567890" in b.text  # not identifiers


def test_key_file_is_private_and_continues_numbering(nlp, tmp_path):
    p = fresh(nlp)
    p.texts(["Call Dr Zebedee Fairbrass on 01632 960123."])
    path = p.key.write(tmp_path / "key.csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    again = fresh(nlp, key=Key.read(path))
    out = again.texts(["Zebedee Fairbrass and Ann Whitlow rang from 01632 960123."])[0]
    assert out == "[Person 1] and [Person 2] rang from [Phone 1]."


def test_recall_on_a_slice_of_the_constructed_set(nlp):
    sys.path.insert(0, str(ROOT / "experiments"))
    from pseudonymise_eval import evaluate
    from pseudonymise_set import build

    import suggest.pseudonymise.replace as replace

    original = replace.build_pipeline
    replace.build_pipeline = lambda model: nlp
    try:
        r = evaluate(build(12, 6, seed=3))
    finally:
        replace.build_pipeline = original
    recall = sum(r["caught"].values()) / sum(r["total"].values())
    assert recall >= 0.98
    for kind in ("EMAIL", "PHONE", "NHS_NUMBER", "header EMAIL"):
        assert r["caught"][kind] == r["total"][kind] > 0, kind
