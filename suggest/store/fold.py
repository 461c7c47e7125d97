"""The decision fold: append-only decision rows -> each coder's current decisions.

Rows are never changed. An `undo` row names the row it cancels; a later accept / reject /
add on the same (coder, excerpt, code) supersedes an earlier one. The current decision of
a coder on an (excerpt, code) is therefore their latest row there that no undo cancelled.
Undoing a re-decision brings back the decision before it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

POSITIVE = frozenset({"accept", "add"})
NO_CODE = ""  # code of "no code applies", accepted on an excerpt the model suggested nothing for


@dataclass(frozen=True)
class Decision:
    """One row of the decisions table."""

    id: int
    coder: str
    excerpt_id: str
    code: str
    action: str
    decided_at: str = ""
    model_version: str | None = None
    undoes: int | None = None
    note: str | None = None
    source: str = "review"
    scores_hidden: bool | None = None

    @property
    def positive(self) -> bool:
        """True when the coder says the code applies (an accepted or added real code)."""
        return self.action in POSITIVE and self.code != NO_CODE


Key = tuple[str, str, str]  # (coder, excerpt_id, code)


def fold(rows: Iterable[Decision]) -> dict[Key, Decision]:
    """Current decision per (coder, excerpt_id, code): the latest row not cancelled by an undo."""
    rows = sorted(rows, key=lambda r: r.id)
    cancelled = {r.undoes for r in rows if r.action == "undo"}
    current: dict[Key, Decision] = {}
    for r in rows:
        if r.action == "undo" or r.id in cancelled:
            continue
        current[(r.coder, r.excerpt_id, r.code)] = r
    return current


def by_excerpt(current: Mapping[Key, Decision], coder: str) -> dict[str, dict[str, Decision]]:
    """One coder's current decisions grouped as {excerpt_id: {code: Decision}}."""
    out: dict[str, dict[str, Decision]] = {}
    for (c, eid, code), d in current.items():
        if c == coder:
            out.setdefault(eid, {})[code] = d
    return out


def is_reviewed(suggested: Iterable[str], decided: Mapping[str, Decision]) -> bool:
    """An excerpt is reviewed once the coder has decided every suggested code on it.

    Without suggestions, any current decision (accepting "no code applies", or adding a
    code) marks it reviewed.
    """
    suggested = [c for c in suggested if c != NO_CODE]
    if not suggested:
        return bool(decided)
    return all(code in decided for code in suggested)


def positive_codes(decided: Mapping[str, Decision]) -> list[str]:
    """Codes a coder currently says apply to an excerpt (accepted or added)."""
    return sorted(code for code, d in decided.items() if d.positive)


def last_undoable(rows: Iterable[Decision], coder: str) -> Decision | None:
    """The coder's most recent decision row that is not an undo and has not been undone."""
    rows = [r for r in rows if r.coder == coder]
    cancelled = {r.undoes for r in rows if r.action == "undo"}
    live = [r for r in rows if r.action != "undo" and r.id not in cancelled]
    return max(live, key=lambda r: r.id) if live else None
