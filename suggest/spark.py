"""The same model on Spark: a trained model folder applied to a Spark DataFrame of excerpts.

The model travels as an MLflow pyfunc model (`suggest.tracking.save_pyfunc`) and is applied with
`mlflow.pyfunc.spark_udf` (`suggest.tracking.spark_udf`): each executor loads it once and scores
Arrow batches of texts. What travels with the model: the encoder's name (or a fine-tuned
encoder's weights), the head, the codebook, the thresholds and single-choice groups (config.json).
What does not: the embedding cache (each machine keeps its own under SUGGEST_CACHE_DIR) and the
training texts (left out, as for a logged model). Output: one row per excerpt, the input's
columns, `suggested` (codes at or above their thresholds, one per single-choice group, highest
score first, '; ' between them) and `score_<code>` per code.

    from suggest.spark import score_dataframe
    scored = score_dataframe(spark, df, "models/my-model")        # df has a 'text' column
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError, ModelError, OutputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SUGGESTED = "suggested"


def session(master: str | None = None) -> "SparkSession":
    """The running Spark session, or a local one bound to 127.0.0.1 (workers use this Python)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ModelError("Spark needs a Java runtime and none was found", field="--engine",
                         hint="install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ModelError("pyspark is not installed", field="--engine",
                         hint="pip install 'pyspark>=4' pyarrow (or run on a Spark cluster)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    return (SparkSession.builder.master(master or "local[*]").appName("suggest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate())


def score_dataframe(spark: "SparkSession", df: "DataFrame", model_dir: str | Path, *, text_column: str = "text",
                    model_uri: str | None = None) -> "DataFrame":
    """`df` with `suggested` and a `score_<code>` column per code (see the module docstring).

    `model_uri`: a pyfunc model already saved or logged (e.g. 'runs:/<id>/model' from `suggest train`);
    by default the model folder is saved as one in a new temporary folder (`pyfunc_model`).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from suggest.model import SuggestionModel, group_columns
    from suggest.tracking import spark_udf

    if text_column not in df.columns:
        raise DataError(f"the DataFrame has no '{text_column}' column", field=text_column,
                        hint=f"columns found: {', '.join(df.columns[:20])}")
    model = SuggestionModel.load(model_dir, encoder=object())  # thresholds and groups only; no encoder loaded
    codes, thresholds = model.codes, model.thresholds
    groups = group_columns(model.config.get("groups") or (), model.codebook)
    if model_uri is None:  # the job runs lazily, so the folder must stay: it is left in the temporary directory
        model_uri = pyfunc_model(model_dir, Path(tempfile.mkdtemp(prefix="suggest-pyfunc-")) / "model")
    udf = spark_udf(spark, model_uri, codes)
    scored = df.withColumn("_suggest_scores", udf(F.struct(F.col(text_column).cast("string").alias("text"))))
    scored = scored.select(*df.columns, *[F.col("_suggest_scores")[c].alias(f"score_{c}") for c in codes])

    @F.pandas_udf(StringType())
    def suggested(scores):  # a pandas DataFrame of one Arrow batch's score columns
        import numpy as np
        import pandas as pd

        from suggest.classify.groups import decide

        P = scores.to_numpy(dtype=float)
        hits = decide(P, thresholds, groups).astype(bool)
        picks = []
        for p, h in zip(P, hits):
            idx = np.flatnonzero(h)
            picks.append("; ".join(codes[j] for j in idx[np.argsort(-p[idx], kind="stable")]))
        return pd.Series(picks, index=scores.index)

    columns = [F.col(f"score_{c}") for c in codes]
    return scored.select(*df.columns, suggested(F.struct(*columns)).alias(SUGGESTED), *columns)


def pyfunc_model(model_dir: str | Path, folder: str | Path) -> str:
    """Save the model folder as an MLflow pyfunc model in `folder` (training texts left out); returns its URI."""
    from suggest.tracking import save_pyfunc

    return save_pyfunc(model_dir, folder)


def spark_batch(model_dir: str | Path, input_path: str | Path, output_path: str | Path, *,
                master: str | None = None, codebook: str | None = None, progress: bool = True) -> int:
    """`suggest batch --engine spark`: a .parquet of excerpts (excerpt_id, text, ...) -> a Parquet folder of
    scores; returns the number of rows. The output appears only when complete."""
    from suggest.codebook import load_codebook
    from suggest.model import SuggestionModel
    from suggest.output import ensure_writable_dir

    input_path, output_path = Path(input_path), Path(output_path)
    for path, what in ((input_path, "input"), (output_path, "output")):
        if path.suffix.lower() != ".parquet":
            raise OutputError(f"--engine spark needs a .parquet {what}", path=path,
                              hint="convert the table to Parquet, or run without --engine spark")
    if not input_path.exists():
        raise DataError("file not found", path=input_path, hint="check the path")
    SuggestionModel.load(model_dir, load_codebook(codebook) if codebook else None, encoder=object())
    ensure_writable_dir(output_path.parent)
    spark = session(master)
    if not progress:
        spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="suggest-spark-") as tmp:
        uri = pyfunc_model(model_dir, Path(tmp) / "pyfunc")
        df = spark.read.parquet(str(input_path.resolve()))
        for col in ("excerpt_id", "text"):
            if col not in df.columns:
                raise DataError(f"missing required column: {col}", path=input_path, field=col,
                                hint=f"a table of excerpts needs excerpt_id,text; found {', '.join(df.columns[:20])}")
        scored = score_dataframe(spark, df, model_dir, model_uri=uri)
        staging = output_path.with_name(f".{output_path.name}.suggest-tmp")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            scored.write.mode("overwrite").parquet(str(staging.resolve()))
            n = spark.read.parquet(str(staging.resolve())).count()
            _replace(staging, output_path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return n


def _replace(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target` (a file or a folder), never leaving neither."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.suggest-old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    os.replace(new, target)
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink()
