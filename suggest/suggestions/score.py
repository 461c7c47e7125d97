"""Score texts with a model in batches: the one scoring path of `suggest batch` and `suggest next`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from suggest.errors import EmptyBatchError

if TYPE_CHECKING:
    from suggest.model import SuggestionModel

PART_KEYS = ("proba", "embeddings", "lexical", "dense")


def score_texts(model: "SuggestionModel", texts: Sequence[str], *, contexts: Sequence[str] | None = None,
                batch_size: int = 256, progress: bool = False, desc: str = "scoring excerpts") -> dict[str, np.ndarray]:
    """`model.predict_parts` over batches: (n, k) 'proba', (n, dim) 'embeddings', and the parts the model has.

    `contexts`, one per text, are read by models trained with context and ignored by the others.
    """
    texts = [str(t) for t in texts]
    contexts = list(contexts) if contexts is not None else [""] * len(texts)
    if not texts:
        raise EmptyBatchError("no excerpts to score")
    steps = range(0, len(texts), batch_size)
    if progress and len(texts) > batch_size:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=desc, unit="batch")
    chunks = [model.predict_parts(texts[i:i + batch_size], contexts[i:i + batch_size]) for i in steps]
    return {k: np.vstack([c[k] for c in chunks]) for k in PART_KEYS if k in chunks[0]}
