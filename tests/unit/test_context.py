"""An excerpt's context (a form's question, a subject line, a speaker) as model input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from suggest.codebook import Code, Codebook
from suggest.corpus import CodedCorpus, read_wide, with_context
from suggest.errors import DataError

CODEBOOK = Codebook(name="fft", codes=(Code(id="praise", name="Praise", definition="The comment praises the care"),
                                       Code(id="gripe", name="Gripe", definition="The comment asks for a change")))
ANSWERS = ["nothing", "everything", "all of it", "not sure", "the staff", "no idea", "the waiting",
           "it was fine", "nothing at all", "parking"]
FILLERS = ["really", "honestly", "today", "overall", "mostly", "again", "here", "then", "simply", "truly", "lately",
           "always", "maybe", "frankly", "perhaps"]


def fft_table(n_per_question: int = 30) -> pd.DataFrame:
    """Short answers whose meaning turns on the question asked: the same words under both questions."""
    rows = []
    for k, (q, code) in enumerate((("What was good?", "praise"), ("What could we do better?", "gripe"))):
        for i in range(n_per_question):  # each word as often under both questions, never the same pair twice
            rows.append({"id": f"{code}{i}", "Question": q, "Ward": f"Ward {i % 3}",
                         "answer": f"{ANSWERS[i % len(ANSWERS)]} {FILLERS[(i + 7 * k) % len(FILLERS)]}",
                         "praise": "1" if code == "praise" else "", "gripe": "1" if code == "gripe" else ""})
    return pd.DataFrame(rows)


@pytest.fixture
def fft_csv(tmp_path):
    path = tmp_path / "fft.csv"
    fft_table().to_csv(path, index=False)
    return path


def test_wide_context_columns_become_the_excerpts_context(fft_csv):
    long, _ = read_wide(fft_csv, text_column="answer", code_columns=["praise", "gripe"], id_column="id",
                        codebook=CODEBOOK, context_columns=["Question", "Ward"])
    corpus = CodedCorpus.from_long(long, CODEBOOK)
    assert corpus.has_context
    assert corpus.contexts[0] == "Question: What was good?; Ward: Ward 0"
    assert corpus.contexts[-1] == "Question: What could we do better?; Ward: Ward 2"
    assert corpus.inputs(True)[0] == "Question: What was good?; Ward: Ward 0\nnothing really"
    assert corpus.inputs(False)[0] == "nothing really"


def test_an_unknown_context_column_names_the_file_and_column(fft_csv):
    with pytest.raises(DataError, match="Quest") as err:
        read_wide(fft_csv, text_column="answer", code_columns=["praise", "gripe"], context_columns=["Quest"])
    assert "fft.csv" in str(err.value) and "Question" in str(err.value)  # the hint lists the real columns


def test_a_model_with_context_tells_apart_answers_the_text_alone_cannot(fft_csv):
    from suggest.train import train

    long, _ = read_wide(fft_csv, text_column="answer", code_columns=["praise", "gripe"], id_column="id",
                        codebook=CODEBOOK, context_columns=["Question"])
    corpus = CodedCorpus.from_long(long, CODEBOOK)
    with_ctx = train(corpus, encoder_name="fake", seed=0)  # auto: the corpus has context
    without = train(corpus, encoder_name="fake", seed=0, context="off")
    assert with_ctx.uses_context and not without.uses_context
    texts = ["nothing", "the staff"]
    good, better = ["Question: What was good?"] * 2, ["Question: What could we do better?"] * 2
    P_good, P_better = with_ctx.predict_proba(texts, good), with_ctx.predict_proba(texts, better)
    assert (P_good[:, 0] > P_better[:, 0]).all() and (P_better[:, 1] > P_good[:, 1]).all()
    # the model without context ignores it: the same scores whatever question is passed
    np.testing.assert_allclose(without.predict_proba(texts, good), without.predict_proba(texts, better))
    # out-of-fold too (the scores its thresholds and `suggest agree` rest on)
    oof = with_ctx.classifier.oof_proba_
    assert np.mean((oof[:, 0] > oof[:, 1]) == (corpus.Y[:, 0] == 1)) > 0.9


def test_context_on_without_any_context_is_a_clear_error(fft_csv):
    from suggest.train import train

    long, _ = read_wide(fft_csv, text_column="answer", code_columns=["praise", "gripe"], codebook=CODEBOOK)
    with pytest.raises(DataError, match="no excerpt has a context"):
        train(CodedCorpus.from_long(long, CODEBOOK), encoder_name="fake", context="on")


def test_context_survives_save_and_load(fft_csv, tmp_path):
    from suggest.model import SuggestionModel
    from suggest.train import train

    long, _ = read_wide(fft_csv, text_column="answer", code_columns=["praise", "gripe"], id_column="id",
                        codebook=CODEBOOK, context_columns=["Question"])
    model = train(CodedCorpus.from_long(long, CODEBOOK), encoder_name="fake", seed=0, context="on")
    loaded = SuggestionModel.load(model.save(tmp_path / "m"))
    assert loaded.uses_context
    ctx = ["Question: What could we do better?"]
    np.testing.assert_allclose(loaded.predict_proba(["nothing"], ctx), model.predict_proba(["nothing"], ctx),
                               rtol=1e-6)


def test_with_context_checks_lengths_and_leaves_empty_contexts_alone():
    assert with_context(["a", "b"], ["Subject: x", ""]) == ["Subject: x\na", "b"]
    assert with_context(["a"], None) == ["a"]
    with pytest.raises(ValueError):
        with_context(["a", "b"], ["x"])


def test_cli_train_and_agree_read_wide_context(fft_csv, tmp_path, capsys):
    from suggest.cli import main

    model_dir = tmp_path / "model"
    assert main(["train", "--format", "wide", "--data", str(fft_csv), "--text-column", "answer", "--id-column", "id",
                 "--code-columns", "praise,gripe", "--context-columns", "Question", "--context", "on",
                 "--encoder", "fake", "--out", str(model_dir), "--no-track", "--quiet"]) == 0
    assert "reads each excerpt with its context" in capsys.readouterr().out
    assert main(["agree", str(fft_csv), "--format", "wide", "--text-column", "answer", "--codes-after", "answer",
                 "--context-columns", "Question", "--model", str(model_dir), "--out", str(tmp_path / "agree"),
                 "--n-boot", "50", "--no-track"]) == 0
    table = pd.read_csv(tmp_path / "agree" / "agreement.csv")
    assert not table.empty


TRANSCRIPT = """Interviewer: What was good about the service?

P: Nothing really, the staff were lovely though and I would say so to anyone.

Interviewer: What could we do better?

P: Nothing really, the staff were lovely though and I would say so to anyone.
"""


def test_batch_scores_each_excerpt_under_its_context(tmp_path):
    """The same answer under two questions: a context model scores them apart, as predict_proba does."""
    from suggest.cli import main
    from suggest.model import SuggestionModel
    from suggest.train import train

    rows = [{"excerpt_id": f"e{i}", "text": f"{ANSWERS[i % 10]} {FILLERS[(i + 7 * k) % 15]}",
             "code": code, "context": f"Speaker: P; Question: {q}"}
            for k, (q, code) in enumerate((("What was good about the service?", "praise"),
                                           ("What could we do better?", "gripe"))) for i in range(k * 30, k * 30 + 30)]
    corpus = CodedCorpus.from_long(pd.DataFrame(rows).assign(coder="c", document_id="", source_type=""), CODEBOOK)
    model_dir = train(corpus, encoder_name="fake", seed=0, context="on").save(tmp_path / "m")
    (tmp_path / "interview.txt").write_text(TRANSCRIPT)
    out = tmp_path / "s.csv"
    assert main(["batch", "--model", str(model_dir), str(tmp_path / "interview.txt"), "--out", str(out),
                 "--all-scores", "--quiet"]) == 0
    table = pd.read_csv(out, keep_default_na=False).drop_duplicates("excerpt_id")
    answers = table[table["context"].str.startswith("Speaker: P")]
    assert len(answers) == 2 and answers["text"].nunique() == 1
    model = SuggestionModel.load(model_dir)
    expected = model.predict_proba(answers["text"].tolist(), answers["context"].tolist())
    np.testing.assert_allclose(answers[["score_praise", "score_gripe"]].to_numpy(float), expected, atol=1e-4)
    assert expected[0, 0] > expected[1, 0] and expected[1, 1] > expected[0, 1]
