"""Safe output: check a destination early, write through a temporary file, rename at the end."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
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


def write_table(path: str | Path, table, sheet_name: str = "Sheet1") -> Path:
    """Write a DataFrame as .xlsx or .csv (by suffix) through a temporary file."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            table.to_excel(tmp, index=False, sheet_name=sheet_name)
        else:
            table.to_csv(tmp, index=False, encoding="utf-8")
    return path
