"""Anchoring check: do coders accept more suggestions when they can see the scores and evidence?

Every decision on a suggestion records whether the coder had scores and evidence hidden (`h` in
the review page). The check compares the share of suggestions accepted in the two modes with
Fisher's exact test (two-sided) on the 2 x 2 table (mode x accepted / rejected), and gives the
difference with Newcombe's hybrid score interval. It says nothing when either mode has fewer than
MIN_DECISIONS decisions: too few to tell a real difference from chance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from suggest.agreement.rounds import Units

MIN_DECISIONS = 20  # decisions on suggestions needed in each mode before the check says anything
ALPHA = 0.05
TEST_NAME = "Fisher's exact test, two-sided"


@dataclass
class AnchoringResult:
    """Acceptance with scores hidden and shown, the test and its verdict ('differs', 'same', 'too few')."""

    accepted_hidden: int
    n_hidden: int
    accepted_shown: int
    n_shown: int
    n_not_recorded: int
    p_value: float
    odds_ratio: float
    difference: float  # acceptance shown minus hidden
    difference_low: float
    difference_high: float
    verdict: str
    per_code: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def flagged(self) -> bool:
        return self.verdict == "differs"

    def message(self) -> str:
        """The plain-words statement for the terminal and the report."""
        hid, shown = _share(self.accepted_hidden, self.n_hidden), _share(self.accepted_shown, self.n_shown)
        counts = (f"accepted {self.accepted_hidden} of {self.n_hidden} suggestions with scores hidden{hid}, "
                  f"{self.accepted_shown} of {self.n_shown} with scores shown{shown}")
        if self.verdict == "too few":
            fewer = "hidden" if self.n_hidden < MIN_DECISIONS else "shown"
            return (f"Too few decisions with scores {fewer} to say whether seeing the scores changes what coders "
                    f"accept (at least {MIN_DECISIONS} needed in each mode): {counts}.")
        stats = (f"{TEST_NAME}: p = {_p(self.p_value)}, odds ratio {self.odds_ratio:.2f}; difference "
                 f"{100 * self.difference:+.1f} points, 95% CI [{100 * self.difference_low:+.1f}, "
                 f"{100 * self.difference_high:+.1f}]")
        if self.verdict == "differs":
            more = "more" if self.difference > 0 else "fewer"
            return (f"Anchoring: coders accept {more} suggestions when they can see the scores, beyond what "
                    f"chance explains: {counts} ({stats}). Consider reviewing with scores hidden (key h).")
        return f"No difference beyond chance between scores hidden and shown: {counts} ({stats})."


def anchoring_check(units: Units, min_decisions: int = MIN_DECISIONS, alpha: float = ALPHA) -> AnchoringResult:
    """Compare acceptance of suggestions decided with scores hidden and with scores shown."""
    from scipy.stats import fisher_exact

    on = units.S == 1
    accepted, hidden = units.F[on], units.hidden[on]
    known = np.isfinite(hidden)
    ah, nh = int(accepted[known & (hidden == 1)].sum()), int((known & (hidden == 1)).sum())
    as_, ns = int(accepted[known & (hidden == 0)].sum()), int((known & (hidden == 0)).sum())
    p, odds, diff, lo, hi = math.nan, math.nan, math.nan, math.nan, math.nan
    if nh and ns:
        res = fisher_exact([[as_, ns - as_], [ah, nh - ah]], alternative="two-sided")
        odds, p = float(res[0]), float(res[1])
        diff = as_ / ns - ah / nh
        lo, hi = newcombe_interval(as_, ns, ah, nh)
    if nh < min_decisions or ns < min_decisions:
        verdict = "too few"
    else:
        verdict = "differs" if p < alpha else "same"
    return AnchoringResult(ah, nh, as_, ns, int((~known).sum()), p, odds, diff, lo, hi, verdict,
                           _per_code(units))


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion k / n."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe_interval(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """95% interval for k1/n1 - k2/n2 (Newcombe 1998, method 10: hybrid of Wilson intervals)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def _per_code(units: Units) -> pd.DataFrame:
    rows = []
    for j, code in enumerate(units.codes):
        on = units.S[:, j] == 1
        acc, hid = units.F[on, j], units.hidden[on, j]
        rec = {"code": code}
        for mode, value in (("hidden", 1), ("shown", 0)):
            sel = hid == value
            rec[f"accepted_{mode}"], rec[f"n_{mode}"] = int(acc[sel].sum()), int(sel.sum())
            rec[f"acceptance_{mode}"] = acc[sel].mean() if sel.any() else math.nan
        rows.append(rec)
    return pd.DataFrame(rows)


def _share(k: int, n: int) -> str:
    return f" ({100 * k / n:.0f}%)" if n else ""


def _p(p: float) -> str:
    return "n/a" if not math.isfinite(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")
