"""Drift flag: a round whose agreement falls below what the earlier rounds established.

For each round after the first, the earlier rounds' units are pooled and their 95% bootstrap
interval computed. The round is flagged when, for all coders together,

- its pooled acceptance or pooled kappa lies below the earlier rounds' interval (and at least
  MIN_DROP under their value);
- or a code's acceptance lies below that code's earlier interval and at least MIN_DROP under it
  (codes with fewer than MIN_SUGGESTIONS suggestions in either are not judged; a code's interval is
  Wilson's score interval for a proportion, which stays honest when every earlier suggestion of a
  rare code was accepted, where a bootstrap interval would shrink to a point);
- or a source type's pooled acceptance or kappa falls that way (compared with the same source type
  in the earlier rounds, or with all earlier rounds when it is new);

and it names the codes and the source types that fell. A flag is a hint that the model may not
transfer to the new material, not a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from suggest.agreement.anchoring import wilson_interval
from suggest.agreement.bootstrap import RandomState
from suggest.agreement.rounds import Units, measure_rows, round_ids

if TYPE_CHECKING:
    from suggest.codebook import Codebook

MIN_DROP = 0.10
MIN_SUGGESTIONS = 10  # fewer suggestions of a code in a round say too little to name it
POOLED = ("acceptance", "kappa")


@dataclass
class Fall:
    """One figure that fell: what (a measure, a code or a source type), now, before and its interval."""

    what: str
    measure: str
    now: float
    before: float
    low: float
    high: float
    n: int

    def text(self) -> str:
        return (f"{self.what}: {self.measure} {self.now:.2f} (n={self.n}), earlier {self.before:.2f} "
                f"[{self.low:.2f}, {self.high:.2f}]")


@dataclass
class RoundDrift:
    """The drift check of one round against the rounds before it."""

    round: int
    model_version: str
    earlier: list[int]
    pooled: list[Fall] = field(default_factory=list)
    codes: list[Fall] = field(default_factory=list)
    source_types: list[Fall] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.pooled or self.codes or self.source_types)

    def message(self) -> str:
        head = f"Round {self.round} (model {self.model_version}) against {_list(self.earlier)}"
        if not self.flagged:
            return f"{head}: within the earlier rounds' intervals, no drift."
        parts = [f"DRIFT in {head}: agreement fell below the earlier rounds' 95% interval; the model may not "
                 "transfer to this material."]
        if self.pooled:
            parts.append("; ".join(f.text() for f in self.pooled) + ".")
        if self.codes:
            parts.append("Codes that fell: " + "; ".join(f.text() for f in self.codes) + ".")
        if self.source_types:
            parts.append("Source types that fell: " + "; ".join(f.text() for f in self.source_types) + ".")
        return " ".join(parts)

    @property
    def fallen_codes(self) -> list[str]:
        return [f.what for f in self.codes]

    @property
    def fallen_source_types(self) -> list[str]:
        return [f.what for f in self.source_types]


def drift_check(units: Units, codebook: "Codebook", n_boot: int = 1000, random_state: RandomState = 0,
                min_drop: float = MIN_DROP, min_suggestions: int = MIN_SUGGESTIONS) -> list[RoundDrift]:
    """One RoundDrift per round after the first (rounds in batch order)."""
    info = units.info
    rounds = round_ids(units)
    rnd = info["round"].to_numpy()
    out = []
    for i, r in enumerate(rounds[1:], start=1):
        earlier, now = np.isin(rnd, rounds[:i]), rnd == r
        result = RoundDrift(r, ", ".join(dict.fromkeys(info.loc[now, "model_version"])), rounds[:i])
        before_rows = measure_rows(units, codebook, earlier, n_boot, random_state)  # codes, then all codes pooled
        now_rows = measure_rows(units, codebook, now, 0, random_state)
        b_all, n_all = before_rows[-1], now_rows[-1]
        result.pooled = [f for m in POOLED if (f := _fall("All codes", m, n_all, b_all, min_drop, "n_excerpts"))]
        for b, n in zip(before_rows[:-1], now_rows[:-1]):
            if min(b["n_suggested"], n["n_suggested"]) < min_suggestions:
                continue
            b = {**b, **dict(zip(("acceptance_ci_low", "acceptance_ci_high"),
                                 wilson_interval(b["n_accepted"], b["n_suggested"])))}
            if f := _fall(n["code"], "acceptance", n, b, min_drop, "n_suggested"):
                result.codes.append(f)
        st = info["source_type"].to_numpy()
        for s in sorted(set(st[now])):
            mine = earlier & (st == s)
            base = measure_rows(units, codebook, mine, n_boot, random_state, per_code=False)[-1] if mine.any() else b_all
            here = measure_rows(units, codebook, now & (st == s), 0, random_state, per_code=False)[-1]
            for m in POOLED:
                if f := _fall(s, m, here, base, min_drop, "n_excerpts"):
                    result.source_types.append(f)
                    break
        out.append(result)
    return out


def _fall(what: str, measure: str, now: dict, before: dict, min_drop: float, count: str) -> Fall | None:
    v, b, lo, hi = now[measure], before[measure], before[f"{measure}_ci_low"], before[f"{measure}_ci_high"]
    if not all(np.isfinite(x) for x in (v, b, lo)):
        return None
    if v < lo and b - v >= min_drop:
        return Fall(what, measure, float(v), float(b), float(lo), float(hi), int(now[count]))
    return None


def _list(rounds: list[int]) -> str:
    return ("round " if len(rounds) == 1 else "rounds ") + ", ".join(str(r) for r in rounds)
