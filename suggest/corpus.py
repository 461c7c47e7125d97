"""Documents, excerpts and coded data.

Coded data travels as a *long* table, one row per (excerpt, code, coder):
`excerpt_id, text, code[, coder, document_id, source_type, context]`; an excerpt a coder
left uncoded has one row with an empty code. `context` is what a coder reads beside the
excerpt (a subject line, a form question, a speaker), as `suggest batch` writes it. `CodedCorpus` turns it into the
arrays models train on: texts and a (n_excerpts, n_codes) 0/1 matrix in codebook order.
Row numbers in messages are spreadsheet rows (the header is row 1).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from suggest.codebook import Code, Codebook
from suggest.errors import DataError, EmptyBatchError
from suggest.slug import slugify

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")  # every table reader accepts these
LONG_COLUMNS = ["excerpt_id", "text", "code", "coder", "document_id", "source_type"]
REQUIRED_LONG = ["excerpt_id", "text", "code"]
CONTEXT = "context"  # optional column of coded tables and suggestion files
DEFAULT_CODER = "coder"


@dataclass
class Document:
    """A source document as read from disk. `text` is what excerpt offsets point into."""

    document_id: str
    text: str
    source_type: str
    path: str | None = None
    metadata: dict = field(default_factory=dict)


@dataclass
class Excerpt:
    """A span of a document: `document.text[start:end] == text`."""

    excerpt_id: str
    document_id: str
    text: str
    start: int
    end: int
    source_type: str = ""
    metadata: dict = field(default_factory=dict)


CONTEXT_FIELDS = (("subject", "Subject"), ("speaker", "Speaker"), ("question", "Question"), ("section", "Section"),
                  ("field", "Field"))
_CONTEXT_KEYS = frozenset(key for key, _ in CONTEXT_FIELDS)


def context_label(metadata: dict | None) -> str:
    """What a coder needs to read an excerpt in place: 'Subject: ...', 'Field: Actions agreed', 'Speaker: ...'."""
    if not metadata or metadata.keys().isdisjoint(_CONTEXT_KEYS):
        return ""
    return "; ".join(f"{label}: {metadata[key]}" for key, label in CONTEXT_FIELDS
                     if isinstance(metadata.get(key), str) and metadata[key].strip())


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a .csv or .xlsx as strings, keeping texts like 'None' or 'N/A' as they are.

    Refuses files, archives and cells over the limits of `suggest.limits`, and repeated column names.
    """
    import zipfile

    from suggest import limits

    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, hint="check the path")
    if path.stat().st_size == 0:
        raise EmptyBatchError("the file is empty", path=path, hint="export the table again with a header row")
    limits.check_file_size(path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            if not zipfile.is_zipfile(path):
                what = ("password-protected (encrypted)" if limits.is_encrypted_office(path)
                        else "not an Excel workbook (.xlsx)")
                raise DataError(f"cannot read the table: the file is {what}", path=path,
                                hint="remove the password, or save it from Excel as .xlsx (or as CSV UTF-8)")
            limits.check_archive(path)
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
            header = [str(c) for c in pd.read_excel(path, header=None, nrows=1, dtype=str).iloc[0]] if len(
                df.columns) else []
        elif suffix in {".csv", ".tsv"}:
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
            header = _csv_header(path, sep)
        else:
            raise DataError(f"unsupported table type '{suffix}'", path=path,
                            hint=f"use one of: {', '.join(TABLE_SUFFIXES)}")
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", path=path,
                        hint="in Excel use 'Save As > CSV UTF-8', or give the .xlsx file") from None
    except pd.errors.ParserError as exc:
        _refuse_other_separator(path)
        line = re.search(r"line (\d+)", str(exc))  # 1-based file line = spreadsheet row
        start = re.search(r"starting at row (\d+)", str(exc))  # 0-based file line
        row = int(line.group(1)) if line else (int(start.group(1)) + 1 if start else None)
        raise DataError(f"malformed CSV ({str(exc).strip()})", path=path, row=row,
                        hint="check that quotes are balanced and every row has the same number of columns") from None
    except (ValueError, OSError, KeyError, IndexError, TypeError, zipfile.BadZipFile) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"cannot read the table ({type(exc).__name__}: {exc})", path=path,
                        hint="check that it is a real .csv or .xlsx (a file renamed to .xlsx is not a workbook)"
                        ) from None
    if suffix in {".csv", ".tsv"}:
        if len(df.columns) == 1:
            _refuse_other_separator(path)
        _restore_neutralised(df)
    names = [str(c).strip() for c in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise DataError(f"the column '{repeated[0]}' appears {names.count(repeated[0])} times", path=path, row=1,
                        field=repeated[0], hint="rename or delete the extra column so each name is used once")
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise EmptyBatchError("the table has a header but no rows", path=path)
    limits.check_cells(df, path)
    return df


def _restore_neutralised(df: pd.DataFrame) -> None:
    """Undo the apostrophe suggest puts before formula-like texts in the .csv files it writes."""
    from suggest.output import restore

    for col in df.columns:
        quoted = df[col].str.startswith("'")
        if quoted.any():
            df.loc[quoted, col] = df.loc[quoted, col].map(restore)


def _csv_header(path: Path, sep: str) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh, delimiter=sep), [])


def _refuse_other_separator(path: Path) -> None:
    """Raise a clear DataError when a .csv separates its columns with ';' or tabs instead of commas."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
    counts = {sep: first.count(sep) for sep in (";", "\t", "|")}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n and n > first.count(","):
        name = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}[sep]
        raise DataError(f"the columns are separated by {name}, not commas", path=path, row=1,
                        hint="in Excel use 'Save As > CSV UTF-8 (Comma delimited)', or give the .xlsx file")


def read_long(path: str | Path, codebook: Codebook | None = None, *, default_coder: str = DEFAULT_CODER) -> pd.DataFrame:
    """Read and validate a long coded-data table; returns columns LONG_COLUMNS."""
    df = read_table(path)
    return validate_long(df, codebook, path=path, default_coder=default_coder)


def validate_long(df: pd.DataFrame, codebook: Codebook | None = None, *, path: str | Path | None = None,
                  default_coder: str = DEFAULT_CODER) -> pd.DataFrame:
    """Check columns, texts, codes and id/text consistency; fill optional columns."""
    missing = [c for c in REQUIRED_LONG if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s): {', '.join(missing)}", path=path, field=missing[0],
                        hint="a long coded-data file needs the columns excerpt_id,text,code "
                             "(optional: coder,document_id,source_type); for one-hot tables use --format wide")
    df = df.copy()
    columns = LONG_COLUMNS + ([CONTEXT] if CONTEXT in df.columns else [])
    for col in columns:
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].astype(str).str.strip() if col != "text" else df[col].astype(str)
    df.loc[df["coder"] == "", "coder"] = default_coder
    rows = df.index.to_numpy() + 2
    for col in ("excerpt_id", "text"):
        bad = np.flatnonzero(df[col].str.strip().to_numpy() == "")
        if bad.size:
            raise DataError(f"empty {col.replace('_', ' ')}", path=path, row=int(rows[bad[0]]), field=col,
                            hint="fill it in or delete the row")
    coded = df["code"] != ""
    if codebook is not None and coded.any():
        codebook.check_codes(df.loc[coded, "code"], path=path, rows=rows[coded.to_numpy()])
    texts = df.groupby("excerpt_id", sort=False)["text"].nunique()
    clash = texts[texts > 1]
    if len(clash):
        eid = clash.index[0]
        where = df.index[df["excerpt_id"] == eid]
        raise DataError(f"excerpt '{eid}' appears with different texts", path=path, row=int(where[1]) + 2,
                        field="text", hint="an excerpt_id must always carry the same text; give edited text a new id")
    return df[columns].reset_index(drop=True)


def with_context(texts: Sequence[str], contexts: Sequence[str] | None) -> list[str]:
    """What a context-aware model reads: each excerpt's context on a line above its text."""
    if contexts is None:
        return [str(t) for t in texts]
    if len(contexts) != len(texts):
        raise ValueError(f"{len(contexts)} contexts for {len(texts)} texts")
    return [f"{c}\n{t}" if c else str(t) for t, c in zip(texts, contexts)]


def context_from_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """'Column: value; Column: value' per row, leaving out empty cells (as `suggest batch` labels context)."""
    def label(row) -> str:
        return "; ".join(f"{c}: {' '.join(str(v).split())}" for c, v in zip(columns, row) if str(v).strip())

    return pd.Series([label(r) for r in df[list(columns)].itertuples(index=False)], index=df.index, dtype=object)


def codebook_from_columns(columns: Sequence[str], name: str = "wide-table") -> Codebook:
    """A codebook whose codes are a wide table's code columns (names double as definitions)."""
    ids: list[str] = []
    for col in columns:
        ids.append(slugify(col, "code", sep="_", taken=set(ids)))
    return Codebook(name=name, codes=tuple(Code(id=i, name=c, definition=c) for i, c in zip(ids, columns)))


def read_wide(path: str | Path, *, text_column: str, code_columns: Sequence[str] | None = None,
              codes_after: str | None = None, id_column: str | None = None, coder: str = DEFAULT_CODER,
              codebook: Codebook | None = None, drop_empty_text: bool = True,
              context_columns: Sequence[str] = ()) -> tuple[pd.DataFrame, Codebook]:
    """Read a one-hot table (one row per excerpt, one 0/1 column per code) into long form.

    Code columns are `code_columns`, or every column after `codes_after`. `context_columns`
    (a form's question, the service) become each excerpt's context. Cells count as
    positive when they hold 1 / yes / true / x. Without a `codebook`, one is made from the
    column names. Returns (long table, codebook).
    """
    df = read_table(path)
    if text_column not in df.columns:
        raise DataError(f"no column named '{text_column}'", path=path, field=text_column,
                        hint=f"columns are: {', '.join(df.columns[:30])}")
    if code_columns is None:
        if codes_after is None:
            raise DataError("say which columns are codes", path=path,
                            hint="give --code-columns A,B,C or --codes-after COLUMN")
        if codes_after not in df.columns:
            raise DataError(f"no column named '{codes_after}'", path=path, field=codes_after)
        code_columns = list(df.columns[list(df.columns).index(codes_after) + 1:])
    absent = [c for c in code_columns if c not in df.columns]
    if absent:
        raise DataError(f"no column named '{absent[0]}'", path=path, field=absent[0])
    if codebook is None:
        codebook = codebook_from_columns(code_columns, name=Path(path).stem)
        col_to_id = dict(zip(code_columns, codebook.ids))
    else:
        by_name = {c.name: c.id for c in codebook}
        col_to_id = {c: (c if c in codebook else by_name.get(c, c)) for c in code_columns}
        codebook.check_codes(col_to_id.values(), path=path, field_name="header")
    for col in [id_column, *context_columns]:
        if col and col not in df.columns:
            raise DataError(f"no column named '{col}'", path=path, field=col,
                            hint=f"columns are: {', '.join(df.columns[:30])}")
    if drop_empty_text:
        df = df[df[text_column].str.strip() != ""]
    values = df[list(code_columns)].apply(lambda s: s.str.strip().str.lower())
    positive = values.isin(["1", "1.0", "yes", "y", "true", "x"]).to_numpy()
    ids = df[id_column].astype(str).to_numpy() if id_column else np.array([f"row{i + 2}" for i in df.index])
    records = []
    codes = [col_to_id[c] for c in code_columns]
    contexts = context_from_columns(df, context_columns).to_numpy() if context_columns else np.full(len(df), "")
    for eid, text, row, context in zip(ids, df[text_column].to_numpy(), positive, contexts):
        hits = [codes[j] for j in np.flatnonzero(row)]
        for code in hits or [""]:
            records.append((eid, text, code, coder, "", "", context))
    long = pd.DataFrame.from_records(records, columns=LONG_COLUMNS + [CONTEXT])
    if not context_columns:
        long = long.drop(columns=CONTEXT)
    return validate_long(long, codebook, path=path), codebook


@dataclass
class CodedCorpus:
    """Excerpts with a reference coding: texts plus `Y`, shape (n_excerpts, n_codes), codebook order."""

    codebook: Codebook
    excerpts: pd.DataFrame  # excerpt_id, text, document_id, source_type[, context]
    Y: np.ndarray

    @property
    def texts(self) -> list[str]:
        return self.excerpts["text"].tolist()

    @property
    def contexts(self) -> list[str]:
        """Each excerpt's context ('' where it has none, or the data had no context column)."""
        if CONTEXT not in self.excerpts:
            return [""] * len(self.excerpts)
        return self.excerpts[CONTEXT].fillna("").astype(str).tolist()

    @property
    def has_context(self) -> bool:
        return any(c.strip() for c in self.contexts)

    def inputs(self, context: bool) -> list[str]:
        """What the model reads: the texts, or with `context` each text under its context."""
        return with_context(self.texts, self.contexts) if context else self.texts

    @property
    def ids(self) -> list[str]:
        return self.excerpts["excerpt_id"].tolist()

    def __len__(self) -> int:
        return len(self.excerpts)

    @property
    def data_hash(self) -> str:
        h = hashlib.sha256()
        for eid, text, row in zip(self.ids, self.texts, self.Y):
            h.update(f"{eid}\x1f{text}\x1f{''.join(map(str, row.tolist()))}\x1e".encode("utf-8"))
        if self.has_context:
            h.update("\x1d".join(self.contexts).encode("utf-8"))
        return h.hexdigest()[:16]

    @classmethod
    def from_long(cls, long: pd.DataFrame, codebook: Codebook, *, coder: str | None = None) -> "CodedCorpus":
        """Reference coding from a long table.

        With several coders on an excerpt, a code is positive when at least half of the
        coders who coded that excerpt applied it (ties count as positive). `coder` keeps
        one coder's coding only.
        """
        if coder is not None:
            if coder not in set(long["coder"]):
                raise DataError(f"no coding by coder '{coder}'", field="coder",
                                hint=f"coders present: {', '.join(sorted(set(long['coder'])))}")
            long = long[long["coder"] == coder]
        if long.empty:
            raise EmptyBatchError("no coded excerpts")
        keep = ["excerpt_id", "text", "document_id", "source_type"] + ([CONTEXT] if CONTEXT in long else [])
        first = long.drop_duplicates("excerpt_id")[keep]
        excerpts = first.reset_index(drop=True)
        row_of = {e: i for i, e in enumerate(excerpts["excerpt_id"])}
        n_coders = long.groupby("excerpt_id")["coder"].nunique()
        votes = np.zeros((len(excerpts), len(codebook)), dtype=np.float32)
        applied = long[long["code"] != ""].drop_duplicates(["excerpt_id", "code", "coder"])
        for eid, code in zip(applied["excerpt_id"], applied["code"]):
            votes[row_of[eid], codebook.index(code)] += 1
        denom = n_coders.reindex(excerpts["excerpt_id"]).to_numpy()[:, None]
        Y = (votes / denom >= 0.5).astype(np.int8)
        return cls(codebook=codebook, excerpts=excerpts, Y=Y)

    def subset(self, idx: Sequence[int] | np.ndarray) -> "CodedCorpus":
        idx = np.asarray(idx)
        return CodedCorpus(self.codebook, self.excerpts.iloc[idx].reset_index(drop=True), self.Y[idx])
