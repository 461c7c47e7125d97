"""`suggest next` on a real (small) trained model: picks, files, errors, stopping signal, project queue."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from suggest.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "training_data" / "retake"


@pytest.fixture(scope="module")
def pool_file(tmp_path_factory, coded_long) -> Path:
    """Excerpts the fake model was not trained on: up to 60 coded (long rows with codes), 120 uncoded."""
    ids = list(dict.fromkeys(coded_long["excerpt_id"]))[240:420]
    rows = coded_long[coded_long["excerpt_id"].isin(ids)]
    coded = rows[rows["excerpt_id"].isin(ids[:60]) & (rows["code"] != "")][["excerpt_id", "text", "code"]]
    uncoded = rows[rows["excerpt_id"].isin(ids[60:])].drop_duplicates("excerpt_id")[["excerpt_id", "text"]]
    path = tmp_path_factory.mktemp("pool") / "pool.csv"
    pd.concat([coded, uncoded.assign(code="")]).to_csv(path, index=False)
    return path


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def next_args(model_dir, pool, out, *extra) -> list:
    return ["next", "--model", model_dir, "--pool", pool, "--out", out, "--quiet", *extra]


def test_next_writes_ranked_uncoded_picks_with_reasons(fake_model_dir, pool_file, tmp_path, capsys, codebook):
    out = tmp_path / "next.csv"
    code, stdout, err = run_cli(next_args(fake_model_dir, pool_file, out, "--n", "20"), capsys)
    assert code == 0, err
    picks = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(picks.columns[:8]) == ["rank", "excerpt_id", "text", "reason", "unsure_about", "coded_so_far",
                                       "details", "scores"]
    assert picks["rank"].tolist() == [str(i) for i in range(1, 21)]
    assert picks["excerpt_id"].is_unique
    pool = pd.read_csv(pool_file, dtype=str, keep_default_na=False)
    coded = set(pool.loc[pool["code"] != "", "excerpt_id"])
    assert not coded & set(picks["excerpt_id"]) and set(picks["excerpt_id"]) <= set(pool["excerpt_id"])
    assert picks["details"].str.contains("uncertain").all()  # the strategy's account, with its figures
    assert picks["reason"].str.match(r"^(The model is unsure|Few coded examples|No coded example|Unlike)").all()
    assert not picks["reason"].str.contains(r"\d\.\d").any()  # plain words; the figures have their own columns
    assert all(f"score_{c}" in picks.columns for c in codebook.ids)
    assert "Picked 20 of 120 uncoded excerpts with strategy 'uncertainty-diversity'" in stdout
    again = tmp_path / "again.csv"
    assert run_cli(next_args(fake_model_dir, pool_file, again, "--n", "20"), capsys)[0] == 0
    assert pd.read_csv(again)["excerpt_id"].tolist() == picks["excerpt_id"].tolist()  # deterministic
    # the default's old name still works, with a one-line note
    old = tmp_path / "old.csv"
    code, _, err = run_cli(next_args(fake_model_dir, pool_file, old, "--n", "20", "--strategy", "batch"), capsys)
    assert code == 0 and "now called 'uncertainty-diversity'" in err and len(err.strip().splitlines()) == 1
    assert pd.read_csv(old)["excerpt_id"].tolist() == picks["excerpt_id"].tolist()


@pytest.mark.parametrize("strategy", ["least-confidence", "margin", "entropy", "committee", "diversity", "rare",
                                      "random"])
def test_every_strategy_runs_from_the_cli_and_writes_xlsx(fake_model_dir, pool_file, tmp_path, capsys, strategy):
    out = tmp_path / "next.xlsx"
    code, _, err = run_cli(next_args(fake_model_dir, pool_file, out, "--n", "5", "--strategy", strategy), capsys)
    assert code == 0, err
    picks = pd.read_excel(out)
    assert len(picks) == 5 and picks["excerpt_id"].is_unique and (picks["strategy"] == strategy).all()


def test_n_all_takes_every_uncoded_excerpt(fake_model_dir, pool_file, tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert run_cli(next_args(fake_model_dir, pool_file, out, "--n", "all"), capsys)[0] == 0
    assert len(pd.read_csv(out)) == 120


def test_n_larger_than_the_pool_offers_to_take_all(fake_model_dir, pool_file, tmp_path, capsys):
    code, _, err = run_cli(next_args(fake_model_dir, pool_file, tmp_path / "x.csv", "--n", "500"), capsys)
    assert code == 2
    assert str(pool_file) in err and "field '--n'" in err and "only 120 uncoded" in err and "--n all" in err
    assert not (tmp_path / "x.csv").exists()


def test_a_pool_with_nothing_uncoded_is_a_clear_error(fake_model_dir, pool_file, tmp_path, capsys):
    pool = pd.read_csv(pool_file, dtype=str, keep_default_na=False)
    done = tmp_path / "done.csv"
    pool.assign(code=pool["code"].where(pool["code"] != "", "M1")).to_csv(done, index=False)
    code, _, err = run_cli(next_args(fake_model_dir, done, tmp_path / "x.csv"), capsys)
    assert code == 2 and str(done) in err and "no uncoded excerpts" in err and "field 'code'" in err


def test_a_model_from_another_codebook_is_refused(fake_model_dir, pool_file, tmp_path, capsys, codebook):
    import dataclasses

    other = tmp_path / "codebook-v2.yaml"
    dataclasses.replace(codebook, version="2").to_yaml(other)
    code, _, err = run_cli(next_args(fake_model_dir, pool_file, tmp_path / "x.csv", "--codebook", other), capsys)
    assert code == 2 and "trained on codebook" in err and "field 'codebook'" in err and str(fake_model_dir) in err


def test_a_pool_coded_with_another_codebook_names_the_row(fake_model_dir, pool_file, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    pool = pd.read_csv(pool_file, dtype=str, keep_default_na=False)
    pool.loc[3, "code"] = "Z9"
    pool.to_csv(bad, index=False)
    code, _, err = run_cli(next_args(fake_model_dir, bad, tmp_path / "x.csv"), capsys)
    assert code == 2 and f"{bad}, row 5, field 'code'" in err and "'Z9'" in err


def test_a_pool_without_text_names_the_column(fake_model_dir, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("excerpt_id,words\na,hello\n")
    code, _, err = run_cli(next_args(fake_model_dir, bad, tmp_path / "x.csv"), capsys)
    assert code == 2 and "field 'text'" in err


def test_stopping_signal_when_the_pool_records_a_previous_models_scores(fake_model_dir, pool_file, tmp_path,
                                                                         capsys):
    scored = tmp_path / "pool-scored.csv"
    code, stdout, _ = run_cli(next_args(fake_model_dir, pool_file, tmp_path / "a.csv", "--save-pool", scored), capsys)
    assert code == 0 and "Stopping signal" not in stdout
    table = pd.read_csv(scored, dtype=str, keep_default_na=False)
    assert len(table) == len(pd.read_csv(pool_file)) and "score_M1" in table.columns
    code, stdout, _ = run_cli(next_args(fake_model_dir, scored, tmp_path / "b.csv"), capsys)
    assert code == 0
    assert "Stopping signal" in stdout and "kappa 1.000" in stdout and "stabilised" in stdout
    code, _, err = run_cli(next_args(fake_model_dir, scored, tmp_path / "c.csv", "--save-pool", scored), capsys)
    assert code == 2 and "would overwrite the pool" in err


def test_committee_needs_a_combined_model(small_corpus, pool_file, tmp_path, capsys):
    from suggest.train import train

    dense = train(small_corpus, kind="dense", encoder_name="fake").save(tmp_path / "dense")
    code, _, err = run_cli(next_args(dense, pool_file, tmp_path / "x.csv", "--strategy", "committee"), capsys)
    assert code == 2 and "combined model" in err and "field '--strategy'" in err


def test_a_project_pool_queues_the_picks_for_review(fake_model_dir, pool_file, tmp_path, capsys):
    from suggest.store import Store

    project = tmp_path / "project.sqlite"
    pool = pd.read_csv(pool_file, dtype=str, keep_default_na=False).drop_duplicates("excerpt_id")
    pool[["excerpt_id", "text"]].to_csv(tmp_path / "excerpts.csv", index=False)
    code, _, err = run_cli(["batch", "--model", fake_model_dir, tmp_path / "excerpts.csv", "--out",
                            tmp_path / "s.csv", "--project", project, "--quiet"], capsys)
    assert code == 0, err
    code, stdout, err = run_cli(next_args(fake_model_dir, project, tmp_path / "next.csv", "--n", "7"), capsys)
    assert code == 0, err
    assert "Queued 7 excerpts" in stdout
    picks = pd.read_csv(tmp_path / "next.csv")
    with Store.open(project) as store:
        queue = store.snapshot().queue
    assert [q["excerpt_id"] for q in queue] == picks["excerpt_id"].tolist()
    assert all(q["reason"] and q["strategy"] == "uncertainty-diversity" for q in queue)
    # queued excerpts are not picked again
    code, _, err = run_cli(next_args(fake_model_dir, project, tmp_path / "next2.csv", "--n", "7"), capsys)
    assert code == 0, err
    assert not set(pd.read_csv(tmp_path / "next2.csv")["excerpt_id"]) & set(picks["excerpt_id"])


@pytest.mark.slow
def test_next_with_the_real_embedding_model(small_corpus, pool_file, tmp_path, capsys):
    from suggest.train import train

    model_dir = train(small_corpus, seed=0).save(tmp_path / "real")
    out = tmp_path / "next.csv"
    code, stdout, err = run_cli(next_args(model_dir, pool_file, out, "--n", "10"), capsys)
    assert code == 0, err
    picks = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(picks) == 10 and picks["excerpt_id"].is_unique
    # diversity: no two picks of one batch are near-duplicates under the real embedder
    from suggest.embed import SentenceEmbedder

    E = SentenceEmbedder().transform(picks["text"].tolist())
    sims = E @ E.T
    assert sims[~np.eye(10, dtype=bool)].max() < 0.95
