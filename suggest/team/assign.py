"""Split a project's excerpts between coders, with a shared overlap every coder codes for agreement.

Units are whole documents (default) or single excerpts. The overlap is a random sample of units
whose excerpts add up to as close to `overlap` x all excerpts as whole units allow (within one unit);
the other units go, largest first, to the coder with the fewest excerpts so far, so coders' loads
differ by at most one unit.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from suggest.errors import SuggestError


@dataclass(frozen=True)
class AssignmentPlan:
    """`shared`: units every coder codes; `own`: coder -> units only they code."""

    shared: list[str]
    own: dict[str, list[str]]

    def load(self, sizes: Mapping[str, int]) -> dict[str, int]:
        """Excerpts per coder, shared ones included."""
        common = sum(sizes[u] for u in self.shared)
        return {c: common + sum(sizes[u] for u in units) for c, units in self.own.items()}


def check_coders(coders: Sequence[str]) -> list[str]:
    """Clean coder names; refuses none, empty or repeated names."""
    names = [c.strip() for c in coders]
    if not names or any(not c for c in names):
        raise SuggestError("give the coders' names, separated by commas", field="--coders",
                           hint="for example --coders amira,joel,kate")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise SuggestError(f"coder '{repeated[0]}' is named twice", field="--coders")
    return names


def plan_assignment(sizes: Mapping[str, int], coders: Sequence[str], overlap: float,
                    random_state: int = 0) -> AssignmentPlan:
    """Plan who codes which unit. `sizes`: {unit id: number of excerpts}, in review order."""
    import numpy as np

    coders = check_coders(coders)
    if not 0 <= overlap <= 1:
        raise SuggestError(f"the overlap must be a share between 0 and 1, got {overlap}", field="--overlap",
                           hint="for example --overlap 0.2 for 20%")
    units = list(sizes)
    order = [units[i] for i in np.random.default_rng(random_state).permutation(len(units))]
    target = overlap * sum(sizes.values()) if len(coders) > 1 else 0.0
    shared, got = [], 0
    for unit in order:  # a random sample of units, up to the target
        if got + sizes[unit] <= target:
            shared.append(unit)
            got += sizes[unit]
    left = [u for u in order if u not in set(shared)]
    if left and target > 0:  # then the one unit that brings it closest to the target, if any does
        best = min(left, key=lambda u: abs(got + sizes[u] - target))
        if abs(got + sizes[best] - target) < abs(got - target):
            shared.append(best)
            got += sizes[best]
    rest = sorted((u for u in order if u not in set(shared)), key=lambda u: -sizes[u])  # stable: random ties
    own: dict[str, list[str]] = {c: [] for c in coders}
    load = {c: 0 for c in coders}
    for unit in rest:
        coder = min(coders, key=lambda c: (load[c], coders.index(c)))
        own[coder].append(unit)
        load[coder] += sizes[unit]
    rank = {u: i for i, u in enumerate(units)}
    return AssignmentPlan(sorted(shared, key=rank.get), {c: sorted(us, key=rank.get) for c, us in own.items()})


def assign_project(store, coders: Sequence[str], overlap: float, by: str = "document",
                   random_state: int = 0) -> dict:
    """Plan and store a new assignment round over every excerpt of the project.

    Returns a summary: {"round", "by", "excerpts", "shared_excerpts", "shared_units",
    "coders": {coder: {"excerpts", "own_units"}}}.
    """
    if by not in ("document", "excerpt"):
        raise SuggestError(f"unknown unit '{by}'", field="--by", hint="use --by document or --by excerpt")
    snap = store.snapshot()
    if not snap.excerpts:
        raise SuggestError("the project holds no excerpts to assign", path=store.where,
                           hint="store a batch first: `suggest batch ... --project PROJECT`")
    members: dict[str, list[str]] = {}
    for ex in snap.excerpts:
        members.setdefault(ex["document_id"] if by == "document" else ex["id"], []).append(ex["id"])
    sizes = {u: len(ids) for u, ids in members.items()}
    plan = plan_assignment(sizes, coders, overlap, random_state)
    rows = [(e, c, True) for u in plan.shared for e in members[u] for c in plan.own]
    rows += [(e, c, False) for c, units in plan.own.items() for u in units for e in members[u]]
    round_id = store.save_assignment(rows)
    load = plan.load(sizes)
    return {"round": round_id, "by": by, "excerpts": len(snap.excerpts), "units": len(sizes),
            "shared_excerpts": sum(sizes[u] for u in plan.shared), "shared_units": len(plan.shared),
            "coders": {c: {"excerpts": load[c], "own_units": len(plan.own[c])} for c in plan.own}}
