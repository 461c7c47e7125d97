"""Streaming batch on the fake embedder: chunks give the same outputs as one pass, evidence vectorised
exactly as the per-excerpt path, xlsx refused above the sheet limit, errors leave nothing behind."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from suggest.corpus import Excerpt
from suggest.errors import DataError, OutputError
from suggest.segment import Segmenter

ROOT = Path(__file__).resolve().parents[2]
NEW = ROOT / "training_data" / "rota_feedback" / "new_batch.csv"


@pytest.fixture(scope="module")
def table(tmp_path_factory, coded_long):
    """120 excerpts from the shipped corpus as a table of excerpts (one with a formula-like text)."""
    df = coded_long.drop_duplicates("excerpt_id").head(120)[["excerpt_id", "text"]].copy()
    df.iloc[5, 1] = "=HYPERLINK(\"x\") is not a formula here"
    path = tmp_path_factory.mktemp("stream") / "excerpts.csv"
    df.to_csv(path, index=False)
    return path


def run(model, inputs, outs, **kw):
    from suggest.stream import stream_batch

    kw.setdefault("segmenter", Segmenter(sentencizer="rule"))
    return stream_batch(model, [str(i) for i in inputs], outs, **kw)


def test_chunks_give_the_same_outputs_as_one_pass(fake_model, table, tmp_path):
    from suggest.ingest.table import read_excerpt_table
    from suggest.suggestions import make_suggestions, score_table, write_suggestions

    one = [tmp_path / f"one.{s}" for s in ("csv", "jsonl", "parquet", "xlsx")]
    many = [tmp_path / f"many.{s}" for s in ("csv", "jsonl", "parquet")]
    r1 = run(fake_model, [table], one, chunk_size=1000, all_scores=True)
    r2 = run(fake_model, [table], many, chunk_size=45, all_scores=True)
    assert (r1.n_chunks, r2.n_chunks) == (1, 3) and r1.n_excerpts == r2.n_excerpts == 120
    for a, b in zip(one[:2], many[:2]):
        assert a.read_bytes() == b.read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(one[2]), pd.read_parquet(many[2]))
    # the in-memory writers of earlier versions give the same .csv
    excerpts = read_excerpt_table(table)
    parts = fake_model.predict_parts([e.text for e in excerpts])
    ref = make_suggestions(fake_model, excerpts, parts["proba"], parts["embeddings"])
    write_suggestions(tmp_path / "ref.csv", ref, fake_model, score_table(excerpts, parts["proba"], fake_model.codes))
    got = pd.read_csv(one[0], dtype=str, keep_default_na=False)
    want = pd.read_csv(tmp_path / "ref.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got[want.columns], want)
    assert got.loc[got["excerpt_id"] == excerpts[5].excerpt_id, "text"].iloc[0].startswith("'=")
    # parquet keeps every score at full precision
    pq = pd.read_parquet(one[2]).drop_duplicates("excerpt_id")
    ids = [e.excerpt_id for e in excerpts]
    P = parts["proba"][[ids.index(i) for i in pq["excerpt_id"]]]
    assert np.abs(pq[[f"score_{c}" for c in fake_model.codes]].to_numpy() - P).max() < 1e-12
    xl = pd.read_excel(one[3], sheet_name="Suggestions")
    assert len(xl) == 120
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no work folder, no temporary


def test_vectorised_evidence_matches_the_per_excerpt_path(fake_model, coded_long):
    from suggest.suggestions.evidence import similar_many, top_terms_many

    texts = coded_long.drop_duplicates("excerpt_id")["text"].tolist()[:80]
    parts = fake_model.predict_parts(texts)
    hits = fake_model.decide(parts["proba"]).astype(bool)
    rows, codes = np.nonzero(hits)
    assert len(rows) > 20
    terms = top_terms_many(fake_model, texts, rows, codes)
    assert terms == [", ".join(fake_model.top_terms(texts[i], j)) for i, j in zip(rows, codes)]
    sims = similar_many(fake_model, parts["embeddings"], rows, codes)
    for m, (i, j) in enumerate(zip(rows, codes)):
        want = fake_model.similar(parts["embeddings"][i:i + 1], j)[0]
        got = [(sims[f"similar_{r}_id"][m], sims[f"similar_{r}_similarity"][m]) for r in range(1, len(want) + 1)]
        assert [round(s, 3) for _, _, s in want] == [s for _, s in got]
        # ids may differ only between excerpts that tie (float32 products summed in another order)
        exact = dict(zip(fake_model.evidence_ids, parts["embeddings"][i] @ fake_model.evidence_E.astype(np.float32).T))
        assert len({g for g, _ in got}) == len(got)
        for (w_id, _, w_s), (g_id, _) in zip(want, got):
            assert w_id == g_id or abs(exact[g_id] - w_s) < 1e-5


def test_no_evidence_keeps_scores_and_codes(fake_model, table, tmp_path):
    run(fake_model, [table], [tmp_path / "a.csv"], chunk_size=50)
    run(fake_model, [table], [tmp_path / "b.csv", tmp_path / "b.jsonl"], chunk_size=50, with_evidence=False)
    a = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(tmp_path / "b.csv", dtype=str, keep_default_na=False)
    assert "terms" in a.columns and "similar_1_id" in a.columns
    assert not [c for c in b.columns if c == "terms" or c.startswith("similar_")]
    pd.testing.assert_frame_equal(a[b.columns], b)
    first = json.loads((tmp_path / "b.jsonl").read_text().splitlines()[0])
    assert "similar" not in first or first["similar"] == []


def test_documents_stream_in_groups_of_files(fake_model, tmp_path):
    from suggest.ingest import load_excerpts

    files = sorted((ROOT / "training_data" / "retake" / "new_batch" / "emails").glob("*.eml"))[:9]
    seg = Segmenter(sentencizer="rule")
    res = run(fake_model, files, [tmp_path / "s.csv"], chunk_size=20, segmenter=seg)  # 2 files a chunk
    _, excerpts = load_excerpts(files, segmenter=seg)
    assert res.n_chunks == 5 and res.n_excerpts == len(excerpts) > 10
    got = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert list(dict.fromkeys(got["excerpt_id"])) == [e.excerpt_id for e in excerpts]
    assert "Subject:" in " ".join(got["context"])


def test_xlsx_is_refused_above_the_sheet_limit(fake_model, table, tmp_path, monkeypatch):
    from suggest.stream import write

    monkeypatch.setattr(write, "EXCEL_MAX_ROWS", 101)
    with pytest.raises(OutputError, match=r"do not fit in one Excel sheet") as err:
        run(fake_model, [table], [tmp_path / "s.csv", tmp_path / "s.xlsx"])
    assert ".parquet" in str(err.value) and ".csv" in str(err.value)
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(write, "EXCEL_MAX_ROWS", 121)
    run(fake_model, [table], [tmp_path / "s.xlsx"], chunk_size=30)
    assert len(pd.read_excel(tmp_path / "s.xlsx")) == 120


def test_a_bad_row_late_in_the_stream_leaves_nothing(fake_model, tmp_path):
    rows = [{"excerpt_id": f"e{i}", "text": f"text number {i} about the employer letter"} for i in range(60)]
    rows[47]["text"] = "  "
    bad = tmp_path / "in" / "bad.csv"
    bad.parent.mkdir()
    pd.DataFrame(rows).to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DataError, match="row 49") as err:
        run(fake_model, [bad], [out / "s.csv", out / "s.parquet"], chunk_size=10)
    assert "bad.csv" in str(err.value) and "text" in str(err.value)
    assert not list(out.iterdir())


def test_resume_refuses_other_inputs_and_a_run_without_resume_keeps_the_work(fake_model, table, tmp_path):
    from suggest.stream.resume import WorkFolder, fingerprint

    out = tmp_path / "s.csv"
    work = WorkFolder(out)
    work.start(fingerprint([str(table)], fake_model, {"other": 1}), resume=False)
    with pytest.raises(OutputError, match="interrupted after 0 finished chunk") as err:
        run(fake_model, [table], [out])
    assert "--resume" in str(err.value)
    with pytest.raises(OutputError, match=r"cannot resume: an option \(chunk_size"):
        run(fake_model, [table], [out], resume=True)
    assert work.path.is_dir() and not out.exists()


def test_parquet_input_and_excerpts_with_metadata(fake_model, tmp_path):
    df = pd.DataFrame({"excerpt_id": ["a", "b", "c"], "text": ["The employer letter went out today.",
                                                               "None", "N/A"],
                       "ward": ["W1", "W2", "W3"]})
    df.to_parquet(tmp_path / "in.parquet")
    res = run(fake_model, [tmp_path / "in.parquet"], [tmp_path / "o.csv"], chunk_size=2)
    assert res.n_excerpts == 3
    got = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False).drop_duplicates("excerpt_id")
    assert got["text"].tolist() == ["The employer letter went out today.", "None", "N/A"]


def test_cli_flags(fake_model_dir, table, tmp_path, capsys):
    from suggest.cli import main

    code = main(["batch", "--model", str(fake_model_dir), str(table), "--out", str(tmp_path / "s.parquet"),
                 "--chunk-size", "25", "--no-evidence", "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "120 excerpts" in out and "s.parquet" in out
    assert len(pd.read_parquet(tmp_path / "s.parquet").drop_duplicates("excerpt_id")) == 120
    code = main(["batch", "--model", str(fake_model_dir), str(table), "--out", str(tmp_path / "t.csv"),
                 "--resume", "--project", str(tmp_path / "p.sqlite"), "--quiet"])
    assert code == 2 and "--resume cannot be combined with --project" in capsys.readouterr().err


def test_stacked_heads_equal_one_scikit_learn_call_per_code(fake_model, coded_long):
    """The heads score all codes with one matrix product; the same numbers as a call per code."""
    from suggest.classify.base import proba_binary

    head = fake_model.classifier
    texts = coded_long.drop_duplicates("excerpt_id")["text"].tolist()[:50]
    E = fake_model.encoder.transform(texts)
    F = head.lexical_._features(texts)
    lex = np.column_stack([proba_binary(m, F) for m in head.lexical_.estimators_])
    dense = np.column_stack([proba_binary(m, E) for m in head.dense_.estimators_])
    assert np.abs(head.lexical_.predict_proba(texts) - lex).max() < 1e-12
    assert np.abs(head.dense_.predict_proba(E) - dense).max() < 1e-12
    Z = head._stack(lex, dense, head._prior(E))
    want = np.zeros(Z.shape[:2])
    for j, b in enumerate(head.blends_):
        kind, model = b if isinstance(b, tuple) else ("own", b)
        feats = Z[:, j, 2:] if kind == "prior" else Z[:, j]
        want[:, j] = model.predict_proba(feats)[:, 1] if model is not None else 0.0
    assert np.abs(head._apply_blends(head.blends_, Z) - want).max() < 1e-12


@pytest.mark.parametrize("text", ["Short", "a  b\tc\n\nd", "Ünïcode wörds — and punctuation!!", "x" * 9, "",
                                  "don't-stop it's 3rd_2nd 'quoted' end- -start", "SEPX sepx", "Σίσυφος ΣΑΣ"])
@pytest.mark.parametrize("part", ["char_", "word_"])
def test_chunk_ngrams_equal_the_vectorizer(fake_model, coded_long, text, part):
    from suggest.classify import ngrams

    vec = getattr(fake_model.classifier.lexical_, part)
    texts = [text, *coded_long["text"].tolist()[:40], text.upper(), text, ""]
    assert ngrams.supported(vec)
    for batch in (texts, [text]):
        got, want = ngrams.transform(vec, batch), vec.transform(batch)
        assert (got != want).nnz == 0 and np.array_equal(got.indices, want.indices)
        unsorted = ngrams.transform(vec, batch, sorted_indices=False)  # what the model multiplies
        assert unsorted.nnz == want.nnz and abs(unsorted - want).max() < 1e-15


def test_worker_processes_give_the_same_outputs_and_project_rows(fake_model, table, tmp_path):
    one = [tmp_path / "one.csv", tmp_path / "one.jsonl"]
    two = [tmp_path / "two.csv", tmp_path / "two.jsonl"]
    r1 = run(fake_model, [table], one, chunk_size=17, workers=1, keep=True, all_scores=True)
    r2 = run(fake_model, [table], two, chunk_size=17, workers=2, keep=True, all_scores=True)
    assert r1.n_chunks == r2.n_chunks == 8 and r2.n_excerpts == 120
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes()
    assert [e.excerpt_id for e in r1.kept["excerpts"]] == [e.excerpt_id for e in r2.kept["excerpts"]]
    assert np.array_equal(np.vstack(r1.kept["P"]), np.vstack(r2.kept["P"]))
    pd.testing.assert_frame_equal(pd.concat(r1.kept["tables"]), pd.concat(r2.kept["tables"]))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_workers_stop_on_sigterm_whatever_handler_the_main_process_has(fake_model, tmp_path):
    """The CLI turns SIGTERM into SystemExit; a worker inheriting that handler could miss the signal
    (it lands on another thread while the main one waits for work) and hang the batch at its end."""
    import multiprocessing
    import signal
    import time

    from suggest.stream.run import _Workers

    def caught_and_ignored(pid: int) -> tuple[int, int]:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        return int(fields["SigCgt"], 16), int(fields["SigIgn"], 16)

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        workers = _Workers(2, (fake_model, False, [], None, None, False))
        pids = [p.pid for p in multiprocessing.active_children()]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(caught_and_ignored(p)[0] & (1 << (signal.SIGTERM - 1))
                                                  for p in pids):
            time.sleep(0.05)
        for pid in pids:
            caught, ignored = caught_and_ignored(pid)
            assert not caught & (1 << (signal.SIGTERM - 1)) and ignored & (1 << (signal.SIGINT - 1))
        t = time.monotonic()
        workers.close()
        assert time.monotonic() - t < 5 and not multiprocessing.active_children()
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_corrupt_parquet_input_is_named_and_leaves_nothing(fake_model_dir, tmp_path, capsys):
    from suggest.cli import main

    bad = tmp_path / "in" / "comments.parquet"
    bad.parent.mkdir()
    bad.write_bytes(b"PAR1 this is not a whole Parquet file")
    out = tmp_path / "out"
    out.mkdir()
    code = main(["batch", "--model", str(fake_model_dir), str(bad), "--out", str(out / "s.csv"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "comments.parquet" in err and "cannot read the Parquet file" in err
    assert not list(out.iterdir())  # no output, no work folder
