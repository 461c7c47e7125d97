"""Reviewed decisions as coded data in the long format (`suggest export --csv`, training input).

An excerpt counts as reviewed by a coder once they have decided every suggestion on it
(or, with no suggestion, made any decision on it). A reviewed excerpt gives one row per
code the coder currently accepts or added, or one row with an empty code when they coded
nothing; excerpts a coder has not finished are left out.

Where a lead has settled an excerpt (`suggest adjudicate`), the team's coding of it is the
consensus: the coders' rows of that excerpt give way to rows under the coder name "consensus"
(action "consensus"), unless one coder's own coding is asked for.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.store.fold import is_reviewed, positive_codes
from suggest.store.reads import Snapshot

if TYPE_CHECKING:
    import pandas as pd

    from suggest.store import Store
    from suggest.store.fold import Decision

CONSENSUS_CODER = "consensus"  # the coder name the settled coding carries in exports and training
EXPORT_COLUMNS = ["excerpt_id", "text", "code", "coder", "document_id", "source_type", "context", "decided_at",
                  "action", "model_version"]


def reviewed_decisions(snap: Snapshot, coder: str) -> dict[str, dict[str, "Decision"]]:
    """{excerpt_id: {code: current Decision}} for the excerpts the coder has fully reviewed."""
    current = snap.current(coder)
    out = {}
    for ex in snap.excerpts:
        decided = current.get(ex["id"])
        if decided and is_reviewed([s["code"] for s in snap.suggestions.get(ex["id"], [])], decided):
            out[ex["id"]] = decided
    return out


def reviewed_rows(snap: Snapshot, coders: Sequence[str] | None = None) -> Iterator[dict]:
    """Rows of EXPORT_COLUMNS for every (coder, reviewed excerpt); `snap` must hold texts."""
    for coder in coders if coders is not None else snap.coders:
        reviewed = reviewed_decisions(snap, coder)
        for ex in snap.excerpts:
            decided = reviewed.get(ex["id"])
            if decided is None:
                continue
            base = {"excerpt_id": ex["id"], "text": ex["text"], "coder": coder, "document_id": ex["document_id"],
                    "source_type": ex["source_type"], "context": ex.get("context", "")}
            codes = positive_codes(decided)
            for code in codes:
                d = decided[code]
                yield {**base, "code": code, "decided_at": d.decided_at, "action": d.action,
                       "model_version": d.model_version or ex["model_version"]}
            if not codes:
                last = max(decided.values(), key=lambda d: d.id)
                yield {**base, "code": "", "decided_at": last.decided_at, "action": "",
                       "model_version": last.model_version or ex["model_version"]}


def team_rows(snap: Snapshot) -> Iterator[dict]:
    """The team's coding: every coder's reviewed rows, except on settled excerpts, where the
    consensus rows (coder CONSENSUS_CODER) stand instead; `snap` must hold texts and all coders."""
    settled = snap.consensus
    for row in reviewed_rows(snap):
        if row["excerpt_id"] not in settled:
            yield row
    for ex in snap.excerpts:
        c = settled.get(ex["id"])
        if c is None:
            continue
        base = {"excerpt_id": ex["id"], "text": ex["text"], "coder": CONSENSUS_CODER, "document_id": ex["document_id"],
                "source_type": ex["source_type"], "context": ex.get("context", ""), "decided_at": c["decided_at"],
                "action": "consensus", "model_version": ex["model_version"]}
        for code in c["codes"] or [""]:
            yield {**base, "code": code}


def coded_table(store: "Store", coder: str | None = None) -> "pd.DataFrame":
    """The long coded-data table of EXPORT_COLUMNS for one coder, or the team's (consensus where settled)."""
    import pandas as pd

    snap = store.snapshot(coder, text=True)
    rows = list(reviewed_rows(snap, [coder]) if coder else team_rows(snap))
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def export_csv(store: "Store", path: str | Path, coder: str | None = None) -> tuple[Path, int]:
    """Write the coded data as UTF-8 CSV (atomically); returns (path, number of rows)."""
    from suggest.output import atomic_path, check_output_file, write_csv

    path = check_output_file(path, (".csv",))
    table = coded_table(store, coder)
    with atomic_path(path) as tmp:
        write_csv(tmp, table)
    return path, len(table)
