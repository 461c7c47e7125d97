"""Memos out of a project: one row per memo written (history included), for Excel and CSV."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from suggest.store import Store

MEMO_COLUMNS = ["written_at", "coder", "excerpt_id", "code", "memo", "current", "document_id", "text"]


def memo_table(store: "Store", coder: str | None = None) -> "pd.DataFrame":
    """Every memo row of MEMO_COLUMNS, oldest first; `current` is False for one a later memo replaced."""
    import pandas as pd

    rows = store.memo_rows(coder)
    latest = {(r["coder"], r["excerpt_id"], r["code"]): r["id"] for r in rows}
    texts = store.excerpt_texts({r["excerpt_id"] for r in rows}) if rows else {}
    out = [{"written_at": r["written_at"], "coder": r["coder"], "excerpt_id": r["excerpt_id"], "code": r["code"],
            "memo": r["text"], "current": latest[(r["coder"], r["excerpt_id"], r["code"])] == r["id"],
            "document_id": texts[r["excerpt_id"]]["document_id"], "text": texts[r["excerpt_id"]]["text"]}
           for r in rows]
    return pd.DataFrame(out, columns=MEMO_COLUMNS)


def export_memos_csv(store: "Store", path: str | Path, coder: str | None = None) -> tuple[Path, int]:
    """Write the memos as UTF-8 CSV (atomically); returns (path, number of rows)."""
    from suggest.output import atomic_path, check_output_file, write_csv

    path = check_output_file(path, (".csv",))
    table = memo_table(store, coder)
    with atomic_path(path) as tmp:
        write_csv(tmp, table)
    return path, len(table)
