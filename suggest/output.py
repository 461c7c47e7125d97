"""Safe output: check a destination early, write through a temporary file, rename at the end.

Spreadsheet formats are written so no cell can act as a formula (OWASP "CSV injection"):
in .csv a text starting with = + - @ tab or carriage return gets a leading apostrophe
(`neutralise`; `restore` undoes it); in .xlsx every text cell is stored as text with Excel's
quote-prefix flag, so the text is kept exactly and stays text when edited. JSONL keeps the
original text.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
import re
from typing import Iterator

from suggest.errors import OutputError


def ensure_writable_dir(directory: str | Path, *, what: str = "output", create: bool = True) -> Path:
    """Create `directory` if needed and check that files can be written there."""
    directory = Path(directory)
    try:
        if create:
            directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".suggest-probe-", delete=True)
        probe.close()
    except OSError as exc:
        raise OutputError(f"cannot write the {what} here ({exc.strerror or exc})", path=directory,
                          hint="choose a folder you can write to") from None
    return directory


def check_output_file(path: str | Path, suffixes: tuple[str, ...] | None = None) -> Path:
    """Fail fast, before any long work, if `path` has a wrong suffix or cannot be written."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"unsupported output type '{path.suffix or '(none)'}'", path=path,
                          hint=f"end the file name with one of: {', '.join(suffixes)}")
    if path.is_dir():
        raise OutputError("this is a folder, not a file name", path=path, hint="give a file name")
    ensure_writable_dir(path.parent)
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError("the file exists and is read-only (is it open in Excel?)", path=path,
                          hint="close it or choose another name")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: object) -> object:
    """A text that a spreadsheet would read as a formula, with a leading apostrophe; other values as they are.

    Texts already starting with apostrophes before such a character get one more, so `restore` is exact.
    """
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def restore(value: object) -> object:
    """Undo `neutralise` (for reading back a .csv that suggest wrote)."""
    return value[1:] if isinstance(value, str) and _NEUTRALISED.match(value) else value


def neutralise_frame(table):
    """A copy of a DataFrame with every text cell (and column name) passed through `neutralise`."""
    from pandas.api.types import is_numeric_dtype

    out = table.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col]):  # object and string columns (pandas 3 infers "str")
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(path: str | Path, table) -> None:
    """Write a DataFrame as UTF-8 .csv with formulas neutralised (no atomic step: give a temporary path).

    The file starts with a byte-order mark, so Excel on Windows reads it as UTF-8 (accents intact)."""
    neutralise_frame(table).to_csv(path, index=False, encoding="utf-8-sig")


def text_cells(worksheet) -> None:
    """Mark every text cell of an openpyxl worksheet as text, never a formula (Excel's leading apostrophe)."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if _FORMULA.match(cell.value):
                    cell.quotePrefix = True


WIDE_COLUMNS = {"text": 70, "reason": 50, "details": 60, "why": 70, "context": 30}


def format_sheet(worksheet, columns: list[str]) -> None:
    """Bold, shaded header row, frozen; a filter; widths by column (long texts wrap)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    for j, col in enumerate(columns, start=1):
        head = worksheet.cell(row=1, column=j)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="DDEBF7")
        width = WIDE_COLUMNS.get(str(col).lower())
        worksheet.column_dimensions[get_column_letter(j)].width = width or min(max(len(str(col)) + 2, 10), 24)
        if width:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_table(path: str | Path, table, sheet_name: str = "Sheet1") -> Path:
    """Write a DataFrame as .xlsx, .csv or .jsonl (by suffix) through a temporary file; formulas neutralised."""
    path = Path(path)
    with atomic_path(path) as tmp:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            import pandas as pd

            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                table.to_excel(xw, index=False, sheet_name=sheet_name)
                text_cells(xw.sheets[sheet_name])
                format_sheet(xw.sheets[sheet_name], list(table.columns))
        elif suffix == ".jsonl":
            table.to_json(tmp, orient="records", lines=True, force_ascii=False)
        else:
            write_csv(tmp, table)
    return path
