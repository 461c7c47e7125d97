"""The last stage: finished chunks (Parquet parts) -> the outputs, one chunk in memory at a time.

Every output is first written to a temporary name beside it (`.<name>.suggest-tmp<suffix>`) and
renamed only when all of them are complete, so no output is ever half-written. .csv, .jsonl and
.parquet stream; .xlsx holds one row per excerpt in one sheet, so it is refused above Excel's row
limit with a message that names the streaming formats.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from suggest.errors import OutputError
from suggest.suggestions.evidence import BASE_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from suggest.model import SuggestionModel

SUFFIXES = (".csv", ".jsonl", ".parquet", ".xlsx")
EXCEL_MAX_ROWS = 1_048_576  # rows of one Excel sheet, the header included
_FLOATS = ("start", "end", "score", "threshold")


def columns(model: "SuggestionModel", evidence: bool, n_similar: int = 3) -> list[str]:
    """The columns of every chunk's table, fixed for the whole run: the long table, then score_<code>."""
    cols = list(BASE_COLUMNS)
    if evidence and model.lexical_head() is not None:
        cols.append("terms")
    if evidence and model.evidence_E is not None:
        cols += sorted(f"similar_{r}_{w}" for r in range(1, n_similar + 1) for w in ("id", "similarity", "text"))
    return cols + [f"score_{c}" for c in model.codes]


def schema(cols: Sequence[str]):
    """The Arrow schema of those columns: offsets as integers, scores and similarities as doubles."""
    import pyarrow as pa

    def kind(c: str):
        if c in ("start", "end"):
            return pa.int64()
        if c in ("score", "threshold") or c.startswith("score_") or c.endswith("_similarity"):
            return pa.float64()
        return pa.string()

    return pa.schema([(c, kind(c)) for c in cols])


def check_xlsx_rows(outputs: Sequence[Path], n_excerpts: int) -> None:
    """Refuse an .xlsx output for more excerpts than one sheet holds."""
    for out in outputs:
        if out.suffix.lower() == ".xlsx" and n_excerpts > EXCEL_MAX_ROWS - 1:
            raise OutputError(f"{n_excerpts:,} excerpts do not fit in one Excel sheet "
                              f"(at most {EXCEL_MAX_ROWS - 1:,} rows below the header)", path=out,
                              hint="write a streaming format instead: --out with .csv, .jsonl or .parquet")


def _tmp(out: Path) -> Path:
    return out.with_name(f".{out.stem}.suggest-tmp{out.suffix}")


def _read(part: Path, all_scores: bool, digits: int | None) -> "pd.DataFrame":
    import pyarrow.parquet as pq

    df = pq.read_table(part).to_pandas()
    scores = [c for c in df.columns if c.startswith("score_")]
    if not all_scores:
        return df.drop(columns=scores)
    if digits is not None:
        df[scores] = df[scores].round(digits)
    return df


@contextlib.contextmanager
def assembled(outputs: Sequence[Path], parts: Sequence[Path], model: "SuggestionModel", all_scores: bool,
              n_excerpts: int) -> Iterator[None]:
    """Write every output from the parts under its temporary name; rename them all when the block succeeds."""
    check_xlsx_rows(outputs, n_excerpts)
    tmps = [_tmp(out) for out in outputs]
    try:
        for out, tmp in zip(outputs, tmps):
            _write(out.suffix.lower(), tmp, parts, model, all_scores)
        yield
        for out, tmp in zip(outputs, tmps):
            os.replace(tmp, out)
    except BaseException:
        for tmp in tmps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def remove_temporaries(outputs: Sequence[Path]) -> None:
    """Temporary outputs left by a run killed while writing them."""
    for out in outputs:
        with contextlib.suppress(OSError):
            _tmp(out).unlink()


def _write(suffix: str, tmp: Path, parts: Sequence[Path], model: "SuggestionModel", all_scores: bool) -> None:
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        try:
            for part in parts:
                table = pq.read_table(part)
                if not all_scores:
                    table = table.drop([c for c in table.column_names if c.startswith("score_")])
                writer = writer or pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            if writer is None:  # no excerpts at all
                pq.write_table(pa.table({}), tmp)
        finally:
            if writer is not None:
                writer.close()
        return
    if suffix == ".xlsx":
        import pandas as pd

        from suggest.suggestions.xlsx import write_xlsx

        table = pd.concat([_read(p, all_scores, 4) for p in parts], ignore_index=True)
        score_cols = [c for c in table.columns if c.startswith("score_")]
        scores = table[["excerpt_id", *score_cols]].drop_duplicates("excerpt_id") if all_scores else None
        write_xlsx(tmp, table.drop(columns=score_cols), model, scores)
        return
    from suggest.output import neutralise_frame
    from suggest.suggestions.write import write_jsonl_records

    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for k, part in enumerate(parts):
            df = _read(part, all_scores, 4)
            if suffix == ".csv":
                neutralise_frame(df).to_csv(fh, index=False, header=k == 0)
            else:
                write_jsonl_records(fh, df)
