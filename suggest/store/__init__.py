"""The project store: one database per project (SQLite file by default) holding the codebook,
documents, excerpts, models, suggestions and the coders' append-only decisions.

    with Store.open("project.sqlite", create=True) as store:
        batch_id = store.add_batch(model, documents, excerpts, P, table)
        store.decide("amira", "ema-0002", "C1", "accept")
"""
from suggest.store.fold import Decision, fold
from suggest.store.store import Store

__all__ = ["Store", "Decision", "fold"]
