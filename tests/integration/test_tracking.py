"""MLflow tracking in a real, temporary SQLite store: runs, metrics, and the pyfunc round trip."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # real MLflow runs (the project's marker covers MLflow)


@pytest.fixture
def store(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def _runs(store: str, experiment: str) -> pd.DataFrame:
    import mlflow

    mlflow.set_tracking_uri(store)
    return mlflow.search_runs(experiment_names=[experiment])


def test_pyfunc_round_trip_matches_predict_proba(fake_model, fake_model_dir, small_corpus, store):
    import mlflow

    from suggest.tracking import log_training

    uri = log_training(fake_model, fake_model_dir, tracking_uri=store)
    assert uri
    texts = small_corpus.texts[:7] + ["A brand new sentence the model never saw."]
    out = mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"text": texts}))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == fake_model.codes
    np.testing.assert_allclose(out.to_numpy(), fake_model.predict_proba(texts), atol=1e-9)


def test_training_run_has_params_metrics_and_config(fake_model, fake_model_dir, store):
    import mlflow

    from suggest.tracking import log_training

    assert log_training(fake_model, fake_model_dir, tracking_uri=store, experiment="t")
    run = _runs(store, "t").iloc[0]
    cfg = fake_model.config
    assert run["params.kind"] == cfg["kind"]
    assert run["params.seed"] == str(cfg["seed"])
    assert run["params.codebook_hash"] == cfg["codebook_hash"]
    assert run["params.training_data_hash"] == cfg["training_data_hash"]
    assert run["params.encoder"] == cfg["encoder"]
    assert run["metrics.cv_macro_f1"] == pytest.approx(cfg["cv_metrics"]["macro_f1"])
    for code, f1 in cfg["cv_metrics"]["per_code_f1"].items():
        assert run[f"metrics.cv_f1.{code}"] == pytest.approx(f1)
    files = [a.path for a in mlflow.MlflowClient().list_artifacts(run["run_id"])]
    assert "config.json" in files


def test_default_store_is_in_the_data_folder_never_the_working_folder(fake_model, fake_model_dir, tmp_path,
                                                                     monkeypatch, capsys):
    """Issue 11, item 9: no ./mlruns wherever a command runs; the place is printed when created."""
    from suggest.tracking import default_tracking_uri, log_training

    work, data = tmp_path / "work", tmp_path / "data"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SUGGEST_DATA_DIR", str(data))
    monkeypatch.delenv("SUGGEST_TRACKING_URI", raising=False)
    assert log_training(fake_model, fake_model_dir)
    assert list(work.iterdir()) == []
    assert (data / "mlruns" / "mlflow.db").is_file()
    assert str(data / "mlruns") in capsys.readouterr().err
    assert default_tracking_uri() == f"sqlite:///{(data / 'mlruns' / 'mlflow.db').as_posix()}"
    project = tmp_path / "study" / "retake.sqlite"
    assert default_tracking_uri(near=project) == f"sqlite:///{(project.parent / 'retake.mlruns' / 'mlflow.db').as_posix()}"
    monkeypatch.setenv("SUGGEST_TRACKING_URI", str(tmp_path / "x.db"))
    assert default_tracking_uri(near=project) == f"sqlite:///{(tmp_path / 'x.db').as_posix()}"


def _model_files(uri: str, dest) -> list[str]:
    """Names of every file MLflow stored for the logged model `uri`."""
    import mlflow

    return [p.name for p in __import__("pathlib").Path(
        mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(dest))).rglob("*") if p.is_file()]


def test_training_texts_stay_out_of_runs_unless_asked(fake_model, fake_model_dir, store, tmp_path):
    """Issue 11, item 9: training_excerpts.csv and evidence.npz are logged only with log_training_data."""
    import mlflow

    from suggest.tracking import log_training

    uri = log_training(fake_model, fake_model_dir, tracking_uri=store, experiment="private")
    files = _model_files(uri, tmp_path / "a")
    assert "classifier.skops" in files and "manifest.json" in files
    assert not {"training_excerpts.csv", "evidence.npz"} & set(files)
    scores = mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"text": ["a letter to the employer"]}))
    assert list(scores.columns) == fake_model.codes  # the logged model still loads and scores
    uri = log_training(fake_model, fake_model_dir, tracking_uri=store, experiment="with-data", log_training_data=True)
    assert {"training_excerpts.csv", "evidence.npz"} <= set(_model_files(uri, tmp_path / "b"))


def test_readme_says_where_runs_go():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "Where MLflow runs go" in readme and "SUGGEST_TRACKING_URI" in readme and "--log-training-data" in readme


def test_telemetry_is_off_even_when_nothing_else_turns_it_off(fake_model_dir, store):
    """In a process whose environment does not disable MLflow telemetry (no opt-out variable, no CI or
    test marker, which MLflow also honours), logging a run through suggest leaves telemetry off."""
    import os
    import subprocess
    import sys

    code = ("import sys, suggest\n"
            "from suggest.tracking import log_training\n"
            "assert log_training(suggest.load_model(sys.argv[1]), sys.argv[1], tracking_uri=sys.argv[2])\n"
            "import mlflow.telemetry.utils as u, mlflow.telemetry.client as c\n"
            "print(u.is_telemetry_disabled(), c.get_telemetry_client() is None)")
    control = "import mlflow.telemetry.utils as u; print(u.is_telemetry_disabled())"
    markers = ("MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "PYTEST_CURRENT_TEST", "CI", "GITHUB_ACTIONS",
               "CIRCLECI", "GITLAB_CI", "JENKINS_URL", "TRAVIS", "TF_BUILD", "BITBUCKET_BUILD_NUMBER",
               "CODEBUILD_BUILD_ARN", "BUILDKITE", "TEAMCITY_VERSION", "CLOUD_RUN_EXECUTION", "RUNBOT_HOST_URL",
               "RUNBOT_BUILD_NAME", "RUNBOT_WORKER_ID")
    env = {k: v for k, v in os.environ.items() if k not in markers}
    out = subprocess.run([sys.executable, "-c", code, str(fake_model_dir), store], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["True", "True"]
    plain = subprocess.run([sys.executable, "-c", control], env=env, capture_output=True, text=True, timeout=300)
    assert plain.stdout.split()[-1] == "False"  # without suggest, this environment would send telemetry


def test_log_experiment_flattens_and_skips_nan(tmp_path, store):
    import mlflow

    from suggest.tracking import log_experiment

    report = tmp_path / "table.md"
    report.write_text("| a |\n", encoding="utf-8")
    run_id = log_experiment("bench", {"seed": 0, "data": {"rows": 10}},
                            {"lexical": {"macro_f1": 0.5, "kappa": float("nan")}}, [report], tracking_uri=store)
    run = mlflow.get_run(run_id)
    assert run.data.params == {"seed": "0", "data.rows": "10"}
    assert run.data.metrics == {"lexical.macro_f1": 0.5}
    assert [a.path for a in mlflow.MlflowClient().list_artifacts(run_id)] == ["table.md"]


def test_log_agreement_pooled_and_per_code(tmp_path, store):
    import mlflow

    from suggest.tracking import log_agreement

    table = pd.DataFrame([
        {"breakdown": "all", "coder_a": "amira", "coder_b": "ben", "scope": "code", "pooling": "", "code": "M1",
         "kappa": 0.6, "alpha": 0.59, "ac1": 0.8},
        {"breakdown": "all", "coder_a": "amira", "coder_b": "ben", "scope": "code", "pooling": "", "code": "M2",
         "kappa": float("nan"), "alpha": float("nan"), "ac1": 0.95},
        {"breakdown": "all", "coder_a": "amira", "coder_b": "ben", "scope": "domain", "pooling": "pooled",
         "code": "mechanism", "kappa": 0.5, "alpha": 0.5, "ac1": 0.7},
        {"breakdown": "all", "coder_a": "amira", "coder_b": "ben", "scope": "all", "pooling": "pooled",
         "code": "ALL", "kappa": 0.55, "alpha": 0.54, "ac1": 0.75},
        {"breakdown": "all", "coder_a": "amira", "coder_b": "ben", "scope": "all", "pooling": "mean",
         "code": "ALL", "kappa": 0.1, "alpha": 0.1, "ac1": 0.1},
        {"breakdown": "source_type", "coder_a": "amira", "coder_b": "ben", "scope": "code", "pooling": "",
         "code": "M1", "kappa": 0.2, "alpha": 0.2, "ac1": 0.2},
    ])
    report = tmp_path / "report"
    report.mkdir()
    (report / "agreement.csv").write_text("x\n", encoding="utf-8")
    run_id = log_agreement(table, report, {"n_boot": 100, "seed": 0}, tracking_uri=store)
    metrics = mlflow.get_run(run_id).data.metrics
    assert metrics["kappa.amira_vs_ben.M1"] == 0.6
    assert "kappa.amira_vs_ben.M2" not in metrics and metrics["ac1.amira_vs_ben.M2"] == 0.95
    assert metrics["kappa.amira_vs_ben.pooled"] == 0.55
    assert metrics["alpha.amira_vs_ben.mechanism.pooled"] == 0.5
    assert len(metrics) == 3 * 4 - 2
    assert [a.path for a in mlflow.MlflowClient().list_artifacts(run_id, "report")] == ["report/agreement.csv"]


def test_unusable_store_warns_and_returns_none(fake_model, fake_model_dir, tmp_path, capsys):
    from suggest.tracking import log_training

    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert log_training(fake_model, fake_model_dir, tracking_uri=f"sqlite:///{blocker}/sub/mlflow.db") is None
    assert "could not log" in capsys.readouterr().err


def test_importing_tracking_does_not_import_mlflow():
    code = "import sys, suggest.tracking; print('mlflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pyfunc_round_trip_real_embedder(small_corpus, tmp_path, store):
    import mlflow

    from suggest.tracking import log_training
    from suggest.train import train

    model = train(small_corpus.subset(range(120)), seed=0)
    assert model.config["encoder"] == "all-MiniLM-L6-v2"
    uri = log_training(model, model.save(tmp_path / "real"), tracking_uri=store)
    texts = ["The mentor phoned every week and it kept me going.", small_corpus.texts[3]]
    out = mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"text": texts}))
    np.testing.assert_allclose(out.to_numpy(), model.predict_proba(texts), atol=1e-6)


def test_a_bare_db_path_means_that_sqlite_file(tmp_path, monkeypatch):
    from suggest.tracking import log_experiment

    monkeypatch.chdir(tmp_path)
    assert log_experiment("bench", {"seed": 0}, {"f1": 0.5}, tracking_uri="runs/store.db")
    assert (tmp_path / "runs" / "store.db").is_file()
