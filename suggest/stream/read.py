"""Read and segment inputs a chunk at a time: tables of excerpts stream in rows, documents in groups of files.

Chunks are numbered in a fixed order (tables first, then documents), and the same inputs with the
same chunk size always give the same chunks: that is what lets `--resume` skip finished ones.
Tables (.csv, .tsv, .parquet) are never held whole in memory; a .xlsx sheet (at most about a
million rows) is read whole and then cut.
"""
from __future__ import annotations

import csv
import hashlib
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
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
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
            limits.check_cells(df, path)
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


def _parquet_frames(path: Path, rows: int) -> Iterator[tuple[int, "pd.DataFrame"]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from suggest import limits

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"cannot read the Parquet file ({exc})", path=path,
                        hint="check that it is a complete .parquet file (one file, not a Spark output folder)") from None
    first = 2
    for batch in pf.iter_batches(batch_size=rows):
        df = batch.to_pandas()
        df = df.astype({c: str for c in df.columns if c in REQUIRED + OPTIONAL}).fillna("")
        df.columns = [str(c).strip() for c in df.columns]
        limits.check_cells(df, path)
        yield first, df
        first += len(df)
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

        seen: dict[str, bytes] = {}  # id -> digest of its text: the table is never held whole
        for first, df in table_frames(self.path, self.rows):
            missing = [c for c in REQUIRED if c not in df.columns]
            if missing:
                raise DataError(f"missing required column(s): {', '.join(missing)}", path=self.path, field=missing[0],
                                hint="a table of excerpts needs the columns excerpt_id,text (optional: "
                                     f"document_id,source_type); columns found: {', '.join(map(str, df.columns[:20]))}")
            extra = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
            docs = df["document_id"].tolist() if "document_id" in df.columns else None
            types = df["source_type"].tolist() if "source_type" in df.columns else None
            others = df[extra].to_dict("records") if extra else None
            for k, (eid, text) in enumerate(zip(df["excerpt_id"].tolist(), df["text"].tolist())):
                row = first + k
                eid, text = str(eid).strip(), str(text)
                for col, value in (("excerpt_id", eid), ("text", text)):
                    if not value.strip():
                        raise DataError(f"empty {col.replace('_', ' ')}", path=self.path, row=row, field=col,
                                        hint="fill it in or delete the row")
                digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
                if eid in seen:
                    if seen[eid] != digest:
                        raise DataError(f"excerpt '{eid}' appears twice with different texts", path=self.path,
                                        row=row, field="excerpt_id", hint="give each excerpt its own excerpt_id")
                    continue
                seen[eid] = digest
                meta = {"row": row, **({c: v for c, v in others[k].items() if str(v).strip()} if others else {})}
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
