"""`suggest agree --project`: agreement from review decisions over rounds, anchoring and drift,
on constructed projects (real SQLite files) whose figures are counted by hand."""
from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from rounds_support import CODEBOOK, add_round, build, decide_round, hand_figures
from suggest.agreement.anchoring import anchoring_check
from suggest.agreement.drift import drift_check
from suggest.agreement.project import project_agreement
from suggest.agreement.rounds import ALL_CODERS, review_units, round_table
from suggest.cli import main
from suggest.store import Store
from suggest.store.history import read_history

ROUNDS = [
    [("A", "A"), ("AB", "A"), ("B", ""), ("", "C"), ("C", "C"), ("", "")],
    [("A", "A"), ("B", "B"), ("AC", "AC"), ("B", ""), ("", ""), ("C", "AC")],
    [("A", "A"), ("B", "B"), ("C", "C"), ("AB", "AB"), ("", ""), ("A", "AB")],
]


@pytest.fixture(scope="module")
def three_rounds(tmp_path_factory):
    return build(tmp_path_factory.mktemp("rounds") / "project.sqlite", ROUNDS)


def pooled(table: pd.DataFrame, breakdown: str = "batch") -> pd.DataFrame:
    t = table[(table.breakdown == breakdown) & (table.scope == "all") & (table.coder == ALL_CODERS)]
    return t.set_index("round" if breakdown == "batch" else "level")


def test_per_round_figures_equal_hand_counts(three_rounds):
    result = project_agreement(three_rounds, n_boot=200)
    t = pooled(result.rounds)
    assert list(t.index) == [1, 2, 3]
    assert list(t["model_version"]) == ["v1", "v2", "v3"]
    assert t.loc[1, "acceptance"] == pytest.approx(3 / 5) and t.loc[1, "recall"] == pytest.approx(3 / 4)
    for r, specs in enumerate(ROUNDS, start=1):
        hand = hand_figures(specs)
        for m in ("acceptance", "recall", "kappa"):
            assert t.loc[r, m] == pytest.approx(hand[m]), (r, m)
        assert t.loc[r, "acceptance_ci_low"] <= t.loc[r, "acceptance"] <= t.loc[r, "acceptance_ci_high"]
    codes = result.rounds[(result.rounds.breakdown == "batch") & (result.rounds.scope == "code")]
    a1 = codes[(codes["round"] == 1) & (codes.code == "A")].iloc[0]
    assert (a1.n_suggested, a1.n_accepted, a1.acceptance) == (2, 2, 1.0)
    b1 = codes[(codes["round"] == 1) & (codes.code == "B")].iloc[0]
    assert (b1.n_suggested, b1.n_accepted, b1.acceptance) == (2, 0, 0.0)
    assert pooled(result.rounds, "model").loc["v2", "acceptance"] == pytest.approx(hand_figures(ROUNDS[1])["acceptance"])


def test_unfinished_excerpts_and_undone_decisions_do_not_count(tmp_path):
    path = build(tmp_path / "p.sqlite", [ROUNDS[0]])
    with Store.open(path) as store:
        ids = add_round(store, 2, [("AB", "A"), ("C", "C")], "v2")
        store.decide("amira", ids[0], "A", "accept")  # B not decided yet: not reviewed
        store.decide("amira", ids[1], "C", "reject")
        store.undo("amira")  # the excerpt is no longer reviewed
        units = review_units(read_history(store))
    assert set(units.info["round"]) == {1}
    assert len(units) == len(ROUNDS[0])


def test_cli_report_and_terminal_show_the_rounds(three_rounds, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["agree", "--project", str(three_rounds), "--out", str(out), "--n-boot", "200", "--no-track"]) == 0
    text = capsys.readouterr().out
    assert "Agreement over rounds" in text and "Too few decisions with scores hidden" in text
    csv = pd.read_csv(out / "rounds.csv")
    t = pooled(csv)
    for r, specs in enumerate(ROUNDS, start=1):
        assert t.loc[r, "acceptance"] == pytest.approx(hand_figures(specs)["acceptance"])
    page = (out / "report.html").read_text()
    hand = hand_figures(ROUNDS[1])
    assert f"{hand['acceptance']:.2f} [" in page and f"{hand['kappa']:.2f} [" in page
    assert (out / "rounds_trend.png").stat().st_size > 1000 and (out / "rounds.xlsx").is_file()
    assert "<h2>Drift" in page and "Do the scores anchor coders?" in page


def test_two_coders_get_model_rows_each_and_coder_pairs(tmp_path):
    path = tmp_path / "two.sqlite"
    with Store.open(path, create=True) as store:
        ids = add_round(store, 1, ROUNDS[0], "v1")
        decide_round(store, "amira", ids, ROUNDS[0])
        ben = [(s, s) for s, _ in ROUNDS[0]]  # ben accepts every suggestion
        decide_round(store, "ben", ids, ben)
    result = project_agreement(path, n_boot=100)
    t = result.rounds[(result.rounds.breakdown == "batch") & (result.rounds.scope == "all")].set_index("coder")
    assert t.loc["ben", "acceptance"] == 1.0
    assert t.loc["amira", "acceptance"] == pytest.approx(3 / 5)
    assert t.loc[ALL_CODERS, "acceptance"] == pytest.approx(8 / 10)
    pairs = result.coder_pairs
    row = pairs[(pairs.breakdown == "all") & (pairs.scope == "all") & (pairs.pooling == "pooled")].iloc[0]
    assert (row.coder_a, row.coder_b, row.n_items) == ("amira", "ben", 6)


# --- anchoring --------------------------------------------------------------------------------------
def anchoring_project(path, accepted_hidden: int, n_hidden: int, accepted_shown: int, n_shown: int):
    """One round of single-suggestion excerpts: the first n_hidden decided with scores hidden."""
    specs = [("A", "A" if i < accepted_hidden else "") for i in range(n_hidden)]
    specs += [("A", "A" if i < accepted_shown else "") for i in range(n_shown)]
    with Store.open(path, create=True) as store:
        ids = add_round(store, 1, specs, "v1")
        decide_round(store, "amira", ids, specs, hidden=[True] * n_hidden + [False] * n_shown)
        return review_units(read_history(store))


def test_anchoring_planted_lower_acceptance_with_scores_hidden_is_found(tmp_path):
    res = anchoring_check(anchoring_project(tmp_path / "a.sqlite", 12, 40, 42, 60))
    assert (res.accepted_hidden, res.n_hidden, res.accepted_shown, res.n_shown) == (12, 40, 42, 60)
    assert res.verdict == "differs" and res.flagged
    assert res.p_value < 0.001
    assert res.difference == pytest.approx(0.7 - 0.3)
    assert 0 < res.difference_low < 0.4 < res.difference_high
    msg = res.message()
    assert "Fisher's exact test" in msg and "accept more suggestions when they can see the scores" in msg
    assert "12 of 40" in msg and "42 of 60" in msg


def test_anchoring_equal_acceptance_is_not_flagged(tmp_path):
    res = anchoring_check(anchoring_project(tmp_path / "b.sqlite", 28, 40, 42, 60))
    assert res.verdict == "same" and not res.flagged
    assert res.p_value == pytest.approx(1.0)
    assert res.message().startswith("No difference beyond chance")


def test_anchoring_says_when_hidden_decisions_are_too_few(tmp_path):
    res = anchoring_check(anchoring_project(tmp_path / "c.sqlite", 0, 8, 42, 60))
    assert res.verdict == "too few" and not res.flagged
    assert "Too few decisions with scores hidden" in res.message()


def test_scores_mode_splits_the_figures(tmp_path):
    units = anchoring_project(tmp_path / "d.sqlite", 12, 40, 42, 60)
    t = round_table(units, CODEBOOK, by=("scores",), n_boot=50)
    p = pooled(t, "scores")
    assert p.loc["hidden", "acceptance"] == pytest.approx(0.3) and p.loc["shown", "acceptance"] == pytest.approx(0.7)


# --- drift ------------------------------------------------------------------------------------------
def steady(n: int = 20) -> list[tuple[str, str]]:
    """Every excerpt gets A, B and C suggested; each code is kept on 16 of 20 (different excerpts)."""
    return [("ABC", "".join(c for j, c in enumerate("ABC") if (i + 7 * j) % n < 16)) for i in range(n)]


def test_planted_drop_on_two_codes_is_flagged_naming_them_and_the_source_type(tmp_path):
    base = steady()
    types = ["email", "record_form"] * 10
    dropped = [(s, "".join(c for c in f if c == "C")) for s, f in base[10:]]  # A and B rejected
    third = base[:10] + dropped
    path = build(tmp_path / "drift.sqlite", [base, base, third],
                 source_types=[types, types, ["email"] * 10 + ["interview"] * 10])
    with Store.open(path) as store:
        units = review_units(read_history(store))
    checks = drift_check(units, CODEBOOK, n_boot=300)
    assert [d.round for d in checks] == [2, 3]
    assert not checks[0].flagged
    third_check = checks[1]
    assert third_check.flagged
    assert third_check.fallen_codes == ["A", "B"]
    assert third_check.fallen_source_types == ["interview"]
    assert "A: acceptance" in third_check.message() and "interview" in third_check.message()


def test_a_round_within_the_earlier_interval_is_not_flagged(tmp_path):
    base = steady()
    path = build(tmp_path / "steady.sqlite", [base, base, base[5:] + base[:5]])
    with Store.open(path) as store:
        checks = drift_check(review_units(read_history(store)), CODEBOOK, n_boot=300)
    assert [d.flagged for d in checks] == [False, False]
    assert "no drift" in checks[-1].message()


# --- the store records the scores mode ---------------------------------------------------------------
def test_scores_hidden_is_stored_and_a_version_2_project_is_upgraded(tmp_path):
    path = build(tmp_path / "old.sqlite", [ROUNDS[0]])
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE decisions DROP COLUMN scores_hidden")
    con.execute("UPDATE schema_info SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with Store.open(path) as store:
        rows = store.decision_rows()
        assert len(rows) == 7 and all(r.scores_hidden is None for r in rows)
        ids = add_round(store, 2, [("A", "A")], "v2")
        store.decide("amira", ids[0], "A", "accept", scores_hidden=True)
        assert store.decision_rows()[-1].scores_hidden is True


@pytest.mark.slow  # a real MLflow store
def test_mlflow_metric_history_has_each_round_as_a_step(three_rounds, tmp_path):
    import mlflow

    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    out = tmp_path / "report"
    assert main(["agree", "--project", str(three_rounds), "--out", str(out), "--n-boot", "100",
                 "--tracking-uri", store]) == 0
    mlflow.set_tracking_uri(store)
    runs = mlflow.search_runs(experiment_names=["suggest"])
    assert len(runs) == 1 and runs.iloc[0]["tags.suggest.job"] == "agree-project"
    client = mlflow.MlflowClient()
    run_id = runs.iloc[0]["run_id"]
    for m in ("acceptance", "recall", "kappa"):
        history = sorted((h.step, h.value) for h in client.get_metric_history(run_id, f"{m}.pooled"))
        assert [s for s, _ in history] == [1, 2, 3]
        assert [v for _, v in history] == pytest.approx([hand_figures(specs)[m] for specs in ROUNDS]), m
    a = sorted((h.step, h.value) for h in client.get_metric_history(run_id, "acceptance.B"))
    assert a == [(1, 0.0), (2, 0.5), (3, 1.0)]
    assert "kappa.amira.pooled" in runs.columns.str.replace("metrics.", "").tolist()
    assert any(f.path == "report" for f in client.list_artifacts(run_id))


def test_bad_requests_get_clear_errors(tmp_path, capsys):
    empty = tmp_path / "empty.sqlite"
    with Store.open(empty, create=True) as store:
        add_round(store, 1, ROUNDS[0], "v1")
    out = str(tmp_path / "o")
    assert main(["agree", "--out", out, "--no-track"]) == 2
    assert "give coded-data files, or --project PROJECT" in capsys.readouterr().err
    assert main(["agree", "--project", str(empty), "--out", str(tmp_path / "first"), "--no-track"]) == 2
    err = capsys.readouterr().err
    assert "no excerpt in this project has been fully reviewed yet" in err and str(empty) in err
    with Store.open(empty) as store:
        decide_round(store, "amira", [f"r1-e{i}" for i in range(1, 7)], ROUNDS[0])
    assert main(["agree", "--project", str(empty), "--out", out, "--by", "site", "--no-track"]) == 2
    assert "cannot break agreement over rounds down by 'site'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
