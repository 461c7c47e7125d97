import json

import numpy as np
import pandas as pd
import pytest

from suggest.corpus import Excerpt, read_long
from suggest.errors import OutputError
from suggest.suggestions import make_suggestions, score_texts, score_table, write_suggestions

TEXTS = [
    "Hi all, thanks for today. See you next month.",
    "I checked the letter to the employer before it went out and suggested two small changes to the wording.",
    "The CRF for participant 04-002 was missing the session content form, so we went through it together.",
    "Honestly I feel much more confident phoning employers now, I don't need to run every call past [Mentor 2].",
]


@pytest.fixture()
def excerpts():
    return [Excerpt(f"x{i}", "doc1", t, 0, len(t), "email") for i, t in enumerate(TEXTS)]


def test_suggestions_follow_thresholds_and_carry_evidence(fake_model, excerpts):
    parts = score_texts(fake_model, [e.text for e in excerpts])
    P, E = parts["proba"], parts["embeddings"]
    table = make_suggestions(fake_model, excerpts, P, E)
    assert set(table["excerpt_id"]) == {e.excerpt_id for e in excerpts}
    hits = table[table["code"] != ""]
    for row in hits.itertuples():
        j = fake_model.codebook.index(row.code)
        assert row.score >= fake_model.thresholds[j] - 1e-4
        # every similar excerpt really carries the suggested code in the training data
        for k in (1, 2, 3):
            sid = getattr(row, f"similar_{k}_id", None)
            if isinstance(sid, str):
                i = fake_model.evidence_ids.index(sid)
                assert fake_model.evidence_Y[i, j] == 1
    none = table[table["code"] == ""]
    for eid in none["excerpt_id"]:
        i = [e.excerpt_id for e in excerpts].index(eid)
        assert (P[i] < fake_model.thresholds).all()


def test_writers_by_suffix(fake_model, excerpts, tmp_path, codebook):
    parts = score_texts(fake_model, [e.text for e in excerpts])
    P, E = parts["proba"], parts["embeddings"]
    table = make_suggestions(fake_model, excerpts, P, E)
    scores = score_table(excerpts, P, fake_model.codes)
    write_suggestions(tmp_path / "s.csv", table, fake_model, scores)
    write_suggestions(tmp_path / "s.jsonl", table, fake_model)
    write_suggestions(tmp_path / "s.xlsx", table, fake_model, scores)
    csv = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert {"excerpt_id", "text", "code", "score", "coder", "score_M1"} <= set(csv.columns)
    # the csv is itself a long coded-data file
    long = read_long(tmp_path / "s.csv", codebook)
    assert long["coder"].iloc[0].startswith("model:")
    lines = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert len(lines) == len(table)
    assert all(set(codebook.ids) >= {x["code"] for x in lines if x["code"]} for _ in [0])
    xl = pd.read_excel(tmp_path / "s.xlsx", sheet_name=None, dtype=str)
    assert set(xl) == {"Suggestions", "Codebook", "About"}
    assert len(xl["Suggestions"]) == len(excerpts)


def test_unwritable_or_unknown_output(fake_model, excerpts, tmp_path):
    parts = score_texts(fake_model, [e.text for e in excerpts])
    P, E = parts["proba"], parts["embeddings"]
    table = make_suggestions(fake_model, excerpts, P, E)
    with pytest.raises(OutputError, match="unsupported output type"):
        write_suggestions(tmp_path / "s.docx", table, fake_model)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError):
        write_suggestions(blocker / "s.csv", table, fake_model)
    assert not list(tmp_path.glob(".s.*"))


def test_each_excerpt_carries_its_context_into_every_output(fake_model, tmp_path):
    """The subject line, form field or speaker that segmentation kept aside travels with the excerpt."""
    import json

    import pandas as pd

    from suggest.corpus import Excerpt
    from suggest.suggestions import make_suggestions, score_texts, write_suggestions
    from suggest.suggestions.evidence import context_label

    excerpts = [Excerpt("e#001", "e", "Could you ring me about the employer letter?", 0, 44, "email",
                        {"subject": "Letter to HR", "context": [{"kind": "greeting", "text": "Hi Jo,"}]}),
                Excerpt("f#001", "f", "She will ask HR for a phased return and report back.", 0, 52, "record_form",
                        {"field": "Actions agreed"}),
                Excerpt("i#001", "i", "It gave me the confidence to ask for what I needed.", 0, 51, "interview",
                        {"speaker": "Participant"})]
    parts = score_texts(fake_model, [e.text for e in excerpts])
    table = make_suggestions(fake_model, excerpts, parts["proba"], parts["embeddings"])
    by_id = table.drop_duplicates("excerpt_id").set_index("excerpt_id")["context"]
    assert by_id.to_dict() == {"e#001": "Subject: Letter to HR", "f#001": "Field: Actions agreed",
                               "i#001": "Speaker: Participant"}
    assert context_label({}) == "" and context_label({"speaker": "  "}) == ""
    for suffix in (".csv", ".jsonl", ".xlsx"):
        write_suggestions(tmp_path / f"s{suffix}", table, fake_model)
    assert "Field: Actions agreed" in pd.read_csv(tmp_path / "s.csv")["context"].tolist()
    first = json.loads((tmp_path / "s.jsonl").read_text().splitlines()[0])
    assert first["context"] == "Subject: Letter to HR"
    sheet = pd.read_excel(tmp_path / "s.xlsx", sheet_name=0)
    assert sheet["Context"].tolist() == ["Subject: Letter to HR", "Field: Actions agreed", "Speaker: Participant"]
