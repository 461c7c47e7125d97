"""A code's track record in a project: how often coders kept the model's suggestions of it so far.

Counted over every coder's current decisions on suggestions (accept or reject; codes a coder added
are not suggestions), leaving out the excerpt on screen: the figure says nothing about how anyone
decided this excerpt, and it does not move while the coder decides it.
"""
from __future__ import annotations

from suggest.store.reads import Snapshot


def track_record(snap: Snapshot, leave_out: str | None = None) -> dict[str, dict[str, int]]:
    """{code: {"accepted": n, "decided": n}} from a snapshot holding every coder's decisions."""
    out: dict[str, dict[str, int]] = {}
    for coder in snap.coders:
        for eid, decided in snap.current(coder).items():
            if eid == leave_out:
                continue
            for s in snap.suggestions.get(eid, []):
                d = decided.get(s["code"])
                if d is None or d.action not in ("accept", "reject"):
                    continue
                rec = out.setdefault(s["code"], {"accepted": 0, "decided": 0})
                rec["decided"] += 1
                rec["accepted"] += d.action == "accept"
    return out
