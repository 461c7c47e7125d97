"""Read and segment inputs a chunk at a time: tables of excerpts stream in rows, documents in groups of files.

Chunks are numbered in a fixed order (tables first, then documents), and the same inputs with the
same chunk size always give the same chunks: that is what lets `--resume` skip finished ones.
Tables (.csv, .tsv, .parquet) are never held whole in memory; a .xlsx sheet (at most about a
million rows) is read whole and then cut.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.corpus import TABLE_SUFFIXES
from suggest.errors import DataError, EmptyBatchError

if TYPE_CHECKING:
    import pandas as pd

    from suggest.corpus import Document, Excerpt

STREAM_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")  # read in row chunks
BATCH_TABLE_SUFFIXES = TABLE_SUFFIXES + (".parquet",)  # tables of excerpts `suggest batch` reads
REQUIRED = ("excerpt_id", "text")
OPTIONAL = ("document_id", "source_type")


@dataclass
class Chunk:
    """One chunk of the stream: its number, its excerpts, and the documents they were cut from."""

    index: int
    excerpts: list["Excerpt"]
    documents: list["Document"] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # document files read for this chunk
    check_ids: Callable[[list["Excerpt"]], object] | None = None  # refuses ids already used by another input


def is_table(path: str | Path) -> bool:
    return Path(path).is_file() and Path(path).suffix.lower() in BATCH_TABLE_SUFFIXES


def count_rows(path: str | Path) -> int:
    """Data rows of a table without loading it (records, so quoted line breaks count once)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return int(_parquet_file(path).metadata.num_rows)
    if suffix in (".csv", ".tsv"):
        csv.field_size_limit(2**31 - 1)  # only counting here: cell sizes are checked as the rows are read
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh, delimiter="\t" if suffix == ".tsv" else ",")) - 1, 0)
    from suggest.corpus import read_table

    return len(read_table(path))


def table_frames(path: Path, rows: int) -> Iterator[tuple[int, "pd.DataFrame"]]:
    """(spreadsheet row number of the first row, DataFrame of strings) for each block of `rows` rows."""
    import pandas as pd

    from suggest import limits
    from suggest.corpus import _csv_header, _refuse_other_separator, _restore_neutralised, read_table

    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError("file not found", path=path, hint="check the path")
    if path.stat().st_size == 0:
        raise EmptyBatchError("the file is empty", path=path, hint="export the table again with a header row")
    if suffix == ".parquet":
        yield from _parquet_frames(path, rows)
        return
    if suffix not in (".csv", ".tsv"):
        df = read_table(path)
        for start in range(0, len(df), rows):
            yield start + 2, df.iloc[start:start + rows]
        return
    sep = "\t" if suffix == ".tsv" else ","
    header = _csv_header(path, sep)
    names = [str(c).strip() for c in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise DataError(f"the column '{repeated[0]}' appears {names.count(repeated[0])} times", path=path, row=1,
                        field=repeated[0], hint="rename or delete the extra column so each name is used once")
    first = 2
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig", chunksize=rows)
        for df in reader:
            if len(df.columns) == 1 and first == 2:
                _refuse_other_separator(path)
            _restore_neutralised(df)
            df.columns = [str(c).strip() for c in df.columns]
            limits.check_cells(df, path, first_row=first)
            yield first, df
            first += len(df)
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", path=path,
                        hint="in Excel use 'Save As > CSV UTF-8', or give the .xlsx file") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"malformed CSV ({str(exc).strip()})", path=path,
                        hint="check that quotes are balanced and every row has the same number of columns") from None
    if first == 2:
        raise EmptyBatchError("the table has a header but no rows", path=path)


def _parquet_file(path: Path):
    """The opened Parquet file, or a DataError saying it is not one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"cannot read the Parquet file ({exc})", path=path,
                        hint="check that it is a complete .parquet file (one file, not a Spark output folder)") from None


def _parquet_frames(path: Path, rows: int) -> Iterator[tuple[int, "pd.DataFrame | dict[str, list]"]]:
    """Blocks of a Parquet file as columns of Python strings (no DataFrame: a stream is read at speed)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from suggest import limits

    pf = _parquet_file(path)
    first = 2
    for batch in pf.iter_batches(batch_size=rows):
        columns = {}
        for name, column in zip(batch.schema.names, batch.columns):
            if pa.types.is_integer(column.type) or pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())  # the same digits as str() gives
            if pa.types.is_string(column.type):
                columns[str(name).strip()] = pc.fill_null(column, "").to_pylist()
            else:  # floats, dates, booleans: as Python writes them
                columns[str(name).strip()] = ["" if v is None else str(v) for v in column.to_pylist()]
        limits.check_cells(columns, path, first_row=first)
        yield first, columns
        first += batch.num_rows
    if first == 2:
        raise EmptyBatchError("the table has no rows", path=path)


class ExcerptTable:
    """The excerpts of one table, validated row by row as `suggest.ingest.table` does for a whole table."""

    def __init__(self, path: str | Path, rows: int = 5000):
        from suggest.ingest.text import slugify

        self.path, self.rows = Path(path), rows
        self.default_doc = slugify(self.path.stem)

    def __iter__(self) -> Iterator["Excerpt"]:
        from suggest.corpus import Excerpt

        seen: dict[str, int] = {}  # id -> hash of its text: the table is never held whole
        for first, df in table_frames(self.path, self.rows):
            missing = [c for c in REQUIRED if c not in df]
            if missing:
                raise DataError(f"missing required column(s): {', '.join(missing)}", path=self.path, field=missing[0],
                                hint="a table of excerpts needs the columns excerpt_id,text (optional: "
                                     f"document_id,source_type); columns found: {', '.join(map(str, list(df)[:20]))}")
            if not isinstance(df, dict):
                df = {c: df[c].tolist() for c in df.columns}
            extra = [c for c in df if c not in REQUIRED + OPTIONAL]
            docs = df.get("document_id")
            types = df.get("source_type")
            others = [df[c] for c in extra]
            ids = [str(e).strip() for e in df["excerpt_id"]]
            texts = [t if isinstance(t, str) else str(t) for t in df["text"]]
            if not (all(map(str.strip, ids)) and all(map(str.strip, texts))):
                k, col = next((k, col) for k, pair in enumerate(zip(ids, texts))
                              for col, value in zip(REQUIRED, pair) if not value.strip())
                raise DataError(f"empty {col.replace('_', ' ')}", path=self.path, row=first + k, field=col,
                                hint="fill it in or delete the row")
            for k, (eid, text) in enumerate(zip(ids, texts)):
                row = first + k
                digest = hash(text)
                if eid in seen:
                    if seen[eid] != digest:
                        raise DataError(f"excerpt '{eid}' appears twice with different texts", path=self.path,
                                        row=row, field="excerpt_id", hint="give each excerpt its own excerpt_id")
                    continue
                seen[eid] = digest
                meta = {"row": row}
                for c, values in zip(extra, others):
                    if str(values[k]).strip():
                        meta[c] = values[k]
                yield Excerpt(excerpt_id=eid, document_id=str(docs[k] if docs else "").strip() or self.default_doc,
                              text=text, start=0, end=len(text),
                              source_type=str(types[k] if types else "").strip() or "text", metadata=meta)


def excerpt_chunks(inputs: Sequence[str | Path], chunk_size: int, skip: dict[int, dict] | None = None,
                   files_per_chunk: int | None = None) -> Iterator[Chunk]:
    """The inputs as chunks: tables in blocks of `chunk_size` excerpts, then documents in groups of
    `files_per_chunk` files (default chunk_size // 10), to be segmented together (`Chunk.documents`).

    `skip`: chunks already done (number -> its record, with 'document_ids' for document chunks);
    a skipped document chunk is not read, and is yielded empty. Raises DataError when two
    excerpts share an id, EmptyBatchError when no input holds a readable document.
    """
    from suggest.ingest import list_files, read_file, unique_ids

    skip = skip or {}
    tables = [Path(p) for p in inputs if is_table(p)]
    others = [p for p in inputs if Path(p) not in tables]
    origin: dict[str, Path | None] = {}
    several = len(tables) + bool(others) > 1  # ids can only clash across inputs: one table checks its own
    index = 0
    for table in tables:
        buffer: list = []
        for ex in ExcerptTable(table, rows=max(chunk_size, 1000)):
            if several:
                _claim(origin, ex.excerpt_id, table)
            buffer.append(ex)
            if len(buffer) == chunk_size:
                yield Chunk(index, buffer)
                index, buffer = index + 1, []
        if buffer:
            yield Chunk(index, buffer)
            index += 1
    if others:
        pairs = list_files(others)
        group = files_per_chunk or max(1, chunk_size // 10)
        doc_ids: set[str] = set()
        readable = False
        for start in range(0, len(pairs), group):
            files = [str(p) for _, p in pairs[start:start + group]]
            if index in skip:
                doc_ids.update(skip[index].get("document_ids", []))
                readable = readable or bool(skip[index].get("document_ids"))
                yield Chunk(index, [], files=files)
                index += 1
                continue
            documents = [doc for given, path in pairs[start:start + group] for doc in read_file(path)]
            unique_ids(documents, doc_ids)
            readable = readable or bool(documents)
            yield Chunk(index, [], documents, files,
                        check_ids=(lambda excerpts: [_claim(origin, e.excerpt_id, None) for e in excerpts])
                        if several else None)
            index += 1
        if not readable:
            from suggest.ingest import DOCUMENT_SUFFIXES

            raise EmptyBatchError(f"no readable documents ({', '.join(DOCUMENT_SUFFIXES)}) found",
                                  path=", ".join(map(str, others)),
                                  hint="check the folder; tables of ready-made excerpts (.csv, .xlsx, .parquet) are "
                                       "given directly as inputs")


def _claim(origin: dict, excerpt_id: str, source: Path | None) -> None:
    if excerpt_id in origin:
        raise DataError(f"excerpt id '{excerpt_id}' is used twice", path=source or origin[excerpt_id],
                        field="excerpt_id", hint="excerpt ids must be unique across all inputs; rename one")
    origin[excerpt_id] = source
