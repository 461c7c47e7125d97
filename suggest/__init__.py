"""suggest: code suggestions for qualitative research teams.

Data flow: ingest -> segment -> embed -> classify -> suggest -> review -> agreement -> active.
Heavy libraries (torch, sentence-transformers, spaCy, MLflow) load only when used.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")

__version__ = "0.1.0"

from suggest.codebook import Code, Codebook  # noqa: E402
from suggest.errors import SuggestError  # noqa: E402


def load_model(path):
    """Load a trained model directory; see `suggest.model.SuggestionModel.load`."""
    from suggest.model import SuggestionModel

    return SuggestionModel.load(path)


__all__ = ["Code", "Codebook", "SuggestError", "load_model", "__version__"]
