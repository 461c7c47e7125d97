"""A streaming batch, stage by stage: read -> segment -> [transform] -> embed -> score -> evidence -> write.

Each stage is a function over one chunk; `stream_batch` runs them chunk after chunk, so memory
holds one chunk whatever the size of the input, keeps each finished chunk in the work folder
(`suggest.stream.resume`), shows a progress bar with excerpts/s and the time left, and at the end
writes the outputs from the finished chunks (`suggest.stream.write`). `timings` says where the
time went, stage by stage.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from suggest.stream.read import Chunk, count_rows, excerpt_chunks, is_table

if TYPE_CHECKING:
    import pandas as pd

    from suggest.corpus import Excerpt
    from suggest.model import SuggestionModel
    from suggest.segment import Segmenter

Transform = Callable[[list["Excerpt"]], list["Excerpt"]]  # e.g. pseudonymise excerpts before they are embedded
STAGES = ("read", "segment", "transform", "embed", "score", "evidence", "save", "write")


@dataclass
class BatchResult:
    """What a streaming batch did: counts, seconds per stage, and (for a project) the batch kept in memory."""

    n_documents: int = 0
    n_excerpts: int = 0
    n_suggestions: int = 0
    n_without: int = 0
    n_chunks: int = 0
    n_resumed: int = 0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    kept: dict[str, list] | None = None


# --- the stages ------------------------------------------------------------------------------------
def segment(chunk: Chunk, segmenter: "Segmenter") -> list["Excerpt"]:
    """The chunk's excerpts: a table's rows as they are, documents cut by the segmenter (spaCy's nlp.pipe
    over the whole chunk, with only the components sentence boundaries need)."""
    if chunk.documents and not chunk.excerpts:
        chunk.excerpts = segmenter.segment(chunk.documents)
        if chunk.check_ids is not None:
            chunk.check_ids(chunk.excerpts)
    return chunk.excerpts


def model_inputs(model: "SuggestionModel", excerpts: list["Excerpt"]) -> list[str]:
    """What the model reads for each excerpt: its text, under its context if the model was trained so."""
    from suggest.corpus import context_label

    return model.inputs([e.text for e in excerpts], [context_label(e.metadata) for e in excerpts])


def embed(model: "SuggestionModel", inputs: list[str]) -> np.ndarray:
    """(n, dim) embeddings from the model's encoder; cached texts are not encoded again."""
    return model.encoder.transform(inputs)


def score(model: "SuggestionModel", inputs: list[str], E: np.ndarray) -> np.ndarray:
    """(n, n_codes) scores from the model's head."""
    from suggest.classify import predict_head

    return predict_head(model.classifier, inputs, E)["proba"]


def evidence(model: "SuggestionModel", excerpts: list["Excerpt"], P: np.ndarray, E: np.ndarray,
             with_evidence: bool, cols: list[str]) -> "pd.DataFrame":
    """The chunk's long table (suggestions, with evidence unless switched off) and score_<code> columns."""
    from suggest.suggestions.evidence import make_suggestions

    table = make_suggestions(model, excerpts, P, E, evidence=with_evidence)
    row_of = {e.excerpt_id: i for i, e in enumerate(excerpts)}
    at = table["excerpt_id"].map(row_of).to_numpy()
    scores = {f"score_{c}": P[at, j] for j, c in enumerate(model.codes)}
    table = table.assign(**scores)
    return table.reindex(columns=cols)


# --- the run ----------------------------------------------------------------------------------------
def stream_batch(model: "SuggestionModel", inputs: Sequence[str | Path], outputs: Sequence[str | Path], *,
                 segmenter: "Segmenter", chunk_size: int = 1000, with_evidence: bool = True,
                 all_scores: bool = False, resume: bool = False, progress: bool = False,
                 transform: Transform | None = None, pseudonymiser=None, keep: bool = False,
                 on_written: Callable[[BatchResult], None] | None = None) -> BatchResult:
    """Pre-annotate `inputs` into `outputs` chunk by chunk (see the module docstring).

    `pseudonymiser` (`suggest.pseudonymise.Pseudonymiser`) replaces identifiers in documents before they
    are cut and in a table's excerpts before anything else; `transform` is any further step on excerpts.
    `keep` holds documents, excerpts, scores and tables in memory for a project (not with `resume`);
    `on_written` runs after the outputs are complete and before they replace any earlier file
    (storing into a project there keeps outputs and project in step).
    """
    from suggest.errors import EmptyBatchError, OutputError, SuggestError
    from suggest.stream import write
    from suggest.stream.resume import WorkFolder, fingerprint

    if chunk_size < 1:
        raise OutputError("the chunk size must be at least 1", field="--chunk-size")
    outputs = [Path(o) for o in outputs]
    work = WorkFolder(outputs[0])
    options = {"chunk_size": chunk_size, "evidence": with_evidence, "segment": segmenter.mode,
               "window": segmenter.window, "transform": getattr(transform, "__name__", None),
               "pseudonymise": pseudonymiser is not None}
    write.remove_temporaries(outputs)
    done = work.start(fingerprint(inputs, model, options), resume)
    result = BatchResult(n_resumed=len(done), kept={"documents": [], "excerpts": [], "P": [], "tables": []}
                         if keep else None)
    cols = write.columns(model, with_evidence)
    arrow = write.schema(cols)
    try:
        table_rows, n_files = _sizes(inputs)
        write.check_xlsx_rows(outputs, table_rows)  # before the long work, where the count is known
        bar = _bar(table_rows, n_files, done, progress)
        files_done, doc_excerpts = 0, 0
        t = time.perf_counter()
        for chunk in excerpt_chunks(inputs, chunk_size, skip=done):
            result.timings["read"] += time.perf_counter() - t
            if chunk.index in done:
                _count(result, done[chunk.index])
            else:
                record = _run_chunk(model, chunk, segmenter, transform, pseudonymiser, with_evidence, cols, arrow,
                                    work, result)
                _count(result, record)
                write.check_xlsx_rows(outputs, result.n_excerpts)
                bar.update(record["n_excerpts"])
            if chunk.files:  # documents: the total is estimated from the excerpts per file so far
                files_done += len(chunk.files)
                doc_excerpts += done[chunk.index]["n_excerpts"] if chunk.index in done else len(chunk.excerpts)
                bar.total = table_rows + round(doc_excerpts / files_done * n_files)
                bar.refresh()
            result.n_chunks += 1
            t = time.perf_counter()
        if not result.n_excerpts:
            raise EmptyBatchError("the documents hold no text to code", path=", ".join(map(str, inputs)))
        bar.close()
        t = time.perf_counter()
        with write.assembled(outputs, work.parts(), model, all_scores, result.n_excerpts):
            result.timings["write"] += time.perf_counter() - t
            if on_written is not None:
                on_written(result)
        work.remove()
    except SuggestError:  # the input or an option must change: a resumed run could not continue this one
        work.remove()
        raise
    except BaseException:  # Ctrl-C, a full disk, a crash: the finished chunks stay for --resume
        write.remove_temporaries(outputs)
        print(f"\nStopped. {len(work.finished())} finished chunk(s) are kept in {work.path}; run the same "
              "command with --resume to continue.", file=sys.stderr)
        raise
    return result


def _run_chunk(model, chunk: Chunk, segmenter, transform, pseudonymiser, with_evidence: bool, cols, arrow, work,
               result: BatchResult) -> dict:
    """segment -> [transform] -> embed -> score -> evidence -> save one chunk; returns its record."""
    clock = _Clock(result.timings)
    if pseudonymiser is not None and chunk.documents:  # documents before they are cut, so offsets hold
        chunk.documents = clock("transform", pseudonymiser.documents, chunk.documents)
    excerpts = clock("segment", segment, chunk, segmenter)
    if pseudonymiser is not None and excerpts and not chunk.documents:  # a table's excerpts as they are read
        excerpts = clock("transform", pseudonymiser.excerpts, excerpts)
    if transform is not None and excerpts:
        excerpts = clock("transform", transform, excerpts)
    if excerpts:
        inputs = model_inputs(model, excerpts)
        E = clock("embed", embed, model, inputs)
        P = clock("score", score, model, inputs, E)
        table = clock("evidence", evidence, model, excerpts, P, E, with_evidence, cols)
    else:
        import pandas as pd

        P, table = np.zeros((0, len(model.codes))), pd.DataFrame(columns=cols)
    hits = (table["code"] != "").to_numpy() if len(table) else np.zeros(0, bool)
    record = {"n_excerpts": len(excerpts), "n_documents": len(chunk.documents), "n_suggestions": int(hits.sum()),
              "n_without": int(len(table) - hits.sum()), "document_ids": [d.document_id for d in chunk.documents]}
    clock("save", work.save, chunk.index, table, record, arrow)
    if result.kept is not None:
        result.kept["documents"] += chunk.documents
        result.kept["excerpts"] += excerpts
        result.kept["P"].append(P)
        result.kept["tables"].append(table)
    return record


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def __call__(self, stage: str, fn, *args):
        t = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[stage] += time.perf_counter() - t


def _count(result: BatchResult, record: dict) -> None:
    result.n_excerpts += record["n_excerpts"]
    result.n_documents += record["n_documents"]
    result.n_suggestions += record["n_suggestions"]
    result.n_without += record["n_without"]


def _sizes(inputs) -> tuple[int, int]:
    """(rows of the tables, files of documents): what the progress bar's total is made of."""
    from suggest.ingest import list_files

    tables = [p for p in inputs if is_table(p)]
    others = [p for p in inputs if p not in tables]
    return sum(count_rows(p) for p in tables), (len(list_files(others)) if others else 0)


def _bar(table_rows: int, n_files: int, done: dict[int, dict], progress: bool):
    """A progress bar over excerpts, with excerpts/s and the time left."""
    from tqdm.auto import tqdm

    return tqdm(total=table_rows or None, initial=sum(r["n_excerpts"] for r in done.values()), unit=" excerpts",
                desc="Pre-annotating", disable=not progress, smoothing=0.1, dynamic_ncols=True)
