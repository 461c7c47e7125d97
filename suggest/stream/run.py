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
    n_workers: int = 0  # worker processes that finished chunks (0: all in this process)
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

    table = make_suggestions(model, excerpts, P, E, evidence=with_evidence, scores=True)
    return table if list(table.columns) == cols else table.reindex(columns=cols)


# --- the run ----------------------------------------------------------------------------------------
def stream_batch(model: "SuggestionModel", inputs: Sequence[str | Path], outputs: Sequence[str | Path], *,
                 segmenter: "Segmenter", chunk_size: int = 1000, with_evidence: bool = True,
                 all_scores: bool = False, resume: bool = False, progress: bool = False,
                 transform: Transform | None = None, pseudonymiser=None, keep: bool = False,
                 on_written: Callable[[BatchResult], None] | None = None, workers: int | None = None) -> BatchResult:
    """Pre-annotate `inputs` into `outputs` chunk by chunk (see the module docstring).

    `pseudonymiser` (`suggest.pseudonymise.Pseudonymiser`) replaces identifiers in documents before they
    are cut and in a table's excerpts before anything else; `transform` is any further step on excerpts.
    `keep` holds documents, excerpts, scores and tables in memory for a project (not with `resume`);
    `on_written` runs after the outputs are complete and before they replace any earlier file
    (storing into a project there keeps outputs and project in step). `workers` > 1 scores chunks,
    gathers their evidence and saves them in that many forked processes while this one reads and
    embeds (`timings` then add up the workers' seconds); None: one per CPU core, at most 4.
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
    finisher = None
    try:
        table_rows, n_files = _sizes(inputs)
        write.check_xlsx_rows(outputs, table_rows)  # before the long work, where the count is known
        bar = _bar(table_rows, n_files, done, progress)
        finisher = _finisher(workers, -(-table_rows // chunk_size) + -(-n_files // max(1, chunk_size // 10)),
                             (model, with_evidence, cols, arrow, work, keep))
        result.n_workers = getattr(finisher, "n", 0)
        files_done, doc_excerpts = 0, 0
        t = time.perf_counter()
        kept: dict[int, tuple] = {}

        def collect(finished: list[tuple[int, tuple]]) -> None:
            for index, (record, timings, held) in finished:
                _count(result, record)
                for stage, seconds in timings.items():
                    result.timings[stage] += seconds
                if held is not None:
                    kept[index] = held
                write.check_xlsx_rows(outputs, result.n_excerpts)
                bar.update(record["n_excerpts"])

        for chunk in excerpt_chunks(inputs, chunk_size, skip=done):
            result.timings["read"] += time.perf_counter() - t
            if chunk.index in done:
                _count(result, done[chunk.index])
            else:
                excerpts, texts, E = _prepare(model, chunk, segmenter, transform, pseudonymiser, result.timings)
                collect(finisher.submit(chunk.index, chunk.documents, excerpts, texts, E))
            if chunk.files:  # documents: the total is estimated from the excerpts per file so far
                files_done += len(chunk.files)
                doc_excerpts += done[chunk.index]["n_excerpts"] if chunk.index in done else len(chunk.excerpts)
                bar.total = table_rows + round(doc_excerpts / files_done * n_files)
                bar.refresh()
            result.n_chunks += 1
            t = time.perf_counter()
        collect(finisher.drain())
        finisher.close()
        if result.kept is not None:
            for index in sorted(kept):
                documents, excerpts, P, table = kept[index]
                result.kept["documents"] += documents
                result.kept["excerpts"] += excerpts
                result.kept["P"].append(P)
                result.kept["tables"].append(table)
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
        _close(finisher)
        work.remove()
        raise
    except BaseException:  # Ctrl-C, a full disk, a crash: the finished chunks stay for --resume
        _close(finisher)
        write.remove_temporaries(outputs)
        print(f"\nStopped. {len(work.finished())} finished chunk(s) are kept in {work.path}; run the same "
              "command with --resume to continue.", file=sys.stderr)
        raise
    return result


def _prepare(model, chunk: Chunk, segmenter, transform, pseudonymiser, timings: dict[str, float]):
    """segment -> [transform] -> embed, in this process (the encoder and the pseudonymisation key live here)."""
    clock = _Clock(timings)
    if pseudonymiser is not None and chunk.documents:  # documents before they are cut, so offsets hold
        chunk.documents = clock("transform", pseudonymiser.documents, chunk.documents)
    excerpts = clock("segment", segment, chunk, segmenter)
    if pseudonymiser is not None and excerpts and not chunk.documents:  # a table's excerpts as they are read
        excerpts = clock("transform", pseudonymiser.excerpts, excerpts)
    if transform is not None and excerpts:
        excerpts = clock("transform", transform, excerpts)
    inputs = model_inputs(model, excerpts) if excerpts else []
    E = clock("embed", embed, model, inputs) if excerpts else None
    return excerpts, inputs, E


def _finish(model, index: int, documents: list, excerpts: list, inputs: list[str], E, with_evidence: bool, cols,
            arrow, work, keep: bool) -> tuple[dict, dict[str, float], tuple | None]:
    """score -> evidence -> save one chunk; returns its record, the seconds per stage, and (with `keep`)
    its documents, excerpts, scores and table."""
    timings = dict.fromkeys(STAGES, 0.0)
    clock = _Clock(timings)
    if excerpts:
        P = clock("score", score, model, inputs, E)
        table = clock("evidence", evidence, model, excerpts, P, E, with_evidence, cols)
    else:
        import pandas as pd

        P, table = np.zeros((0, len(model.codes))), pd.DataFrame(columns=cols)
    hits = (table["code"] != "").to_numpy() if len(table) else np.zeros(0, bool)
    record = {"n_excerpts": len(excerpts), "n_documents": len(documents), "n_suggestions": int(hits.sum()),
              "n_without": int(len(table) - hits.sum()), "document_ids": [d.document_id for d in documents]}
    clock("save", work.save, index, table, record, arrow)
    return record, timings, ((documents, excerpts, P, table) if keep else None)


# --- where chunks are finished: here, or in worker processes ----------------------------------------
class _Here:
    """Finishes each chunk in this process, as soon as it is prepared."""

    def __init__(self, finish_args: tuple):
        self.finish_args = finish_args

    def submit(self, index: int, documents, excerpts, inputs, E) -> list[tuple[int, tuple]]:
        model, *rest = self.finish_args
        return [(index, _finish(model, index, documents, excerpts, inputs, E, *rest))]

    def drain(self) -> list[tuple[int, tuple]]:
        return []

    def close(self) -> None:
        pass


_WORKER_ARGS: tuple | None = None  # what a forked worker finishes chunks with (inherited, never pickled)


def _worker_init(finish_args: tuple) -> None:
    global _WORKER_ARGS
    import signal

    from threadpoolctl import threadpool_limits

    # The main process stops its workers with SIGTERM and handles Ctrl-C itself. A Python handler
    # inherited from it would only run in a worker's main thread, which may be blocked waiting for
    # work when another thread receives the signal: the worker would never exit.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)  # the workers share the cores: one BLAS thread each
    _WORKER_ARGS = finish_args


def _worker_finish(index: int, documents, excerpts, inputs, E) -> tuple:
    model, *rest = _WORKER_ARGS
    return _finish(model, index, documents, excerpts, inputs, E, *rest)


class _Workers:
    """Finishes chunks (score, evidence, save) in forked worker processes while this process reads and
    embeds the next ones. Workers inherit the loaded model by fork; they never run the encoder."""

    def __init__(self, n: int, finish_args: tuple):
        import multiprocessing

        self.n = n
        self.pool = multiprocessing.get_context("fork").Pool(n, _worker_init, (finish_args,))
        self.pending: list[tuple[int, object]] = []
        self.limit = 2 * n  # chunks in flight: memory holds a few chunks, not the stream

    def submit(self, index: int, documents, excerpts, inputs, E) -> list[tuple[int, tuple]]:
        self.pending.append((index, self.pool.apply_async(_worker_finish, (index, documents, excerpts, inputs, E))))
        done = [(i, job.get()) for i, job in self.pending if job.ready()]
        finished = {i for i, _ in done}
        self.pending = [(i, job) for i, job in self.pending if i not in finished]
        while len(self.pending) >= self.limit:
            i, job = self.pending.pop(0)
            done.append((i, job.get()))
        return done

    def drain(self) -> list[tuple[int, tuple]]:
        done = [(i, job.get()) for i, job in self.pending]
        self.pending = []
        return done

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


MAX_WORKERS = 4  # beyond this the main process, reading and embedding, is the bottleneck


def _finisher(workers: int | None, n_chunks_hint: int, finish_args: tuple):
    import os

    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers > 1 and n_chunks_hint > 1 and sys.platform.startswith("linux"):  # fork is safe there
        return _Workers(workers, finish_args)
    return _Here(finish_args)


def _close(finisher) -> None:
    if finisher is not None:
        finisher.close()


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
