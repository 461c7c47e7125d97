"""suggest: code suggestions for qualitative research teams.

Data flow: ingest -> segment -> embed -> classify -> suggestions -> review -> agreement -> active.
Heavy libraries (torch, sentence-transformers, spaCy, MLflow) load only when used; importing the
package changes nothing in the environment (commands and model loading set offline defaults).
"""
from __future__ import annotations

from suggest.codebook import Code, Codebook
from suggest.errors import SuggestError
from suggest.version import __version__


def load_model(path):
    """Load a trained model directory; see `suggest.model.SuggestionModel.load`."""
    from suggest.model import SuggestionModel

    return SuggestionModel.load(path)


__all__ = ["Code", "Codebook", "SuggestError", "load_model", "__version__"]
