"""Agreement measured from a project's review decisions (`suggest agree --project`).

Reads the project once, builds the reviewed units, and computes the figures of each part of the
report: rounds (`rounds.round_table`), coder-vs-coder on excerpts several coders reviewed
(`tables.agreement_table`), the anchoring check and the drift flags.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from suggest.agreement.anchoring import AnchoringResult, anchoring_check
from suggest.agreement.bootstrap import RandomState
from suggest.agreement.drift import RoundDrift, drift_check
from suggest.agreement.rounds import DEFAULT_BY, Units, review_units, round_table
from suggest.errors import DataError

if TYPE_CHECKING:
    from suggest.codebook import Codebook


@dataclass
class ProjectAgreement:
    """The figures of one project: the rounds table, coder pairs, anchoring and drift."""

    project: str
    codebook: "Codebook"
    units: Units
    rounds: pd.DataFrame
    coder_pairs: pd.DataFrame
    anchoring: AnchoringResult
    drift: list[RoundDrift] = field(default_factory=list)
    batches: dict[int, dict] = field(default_factory=dict)


def project_agreement(project: str | Path, by: Sequence[str] = DEFAULT_BY, n_boot: int = 1000,
                      random_state: RandomState = 0) -> ProjectAgreement:
    """Compute every figure of `suggest agree --project` from the project's stored decisions."""
    from suggest.store import Store
    from suggest.store.history import read_history

    with Store.open(project) as store:  # not read-only: an older project is upgraded like `suggest review` does
        history = read_history(store)
        where = store.where
    units = review_units(history)
    if not len(units):
        raise DataError("no excerpt in this project has been fully reviewed yet", path=where,
                        hint="review some excerpts first (`suggest review --project ... --coder NAME`, or "
                             "`suggest export`/`suggest import`), deciding every suggestion on each")
    by = list(by)
    if units.info["scores"].isin(["hidden", "mixed"]).any() and "scores" not in by:
        by.append("scores")
    table = round_table(units, history.codebook, by=by, n_boot=n_boot, random_state=random_state)
    return ProjectAgreement(where, history.codebook, units, table, coder_pairs(units, history.codebook, n_boot,
                                                                             random_state),
                            anchoring_check(units), drift_check(units, history.codebook, n_boot, random_state),
                            history.batches)


def coder_pairs(units: Units, codebook: "Codebook", n_boot: int = 1000,
                random_state: RandomState = 0) -> pd.DataFrame:
    """Coder-vs-coder agreement of the final codings, overall and per round, where coders share excerpts."""
    from suggest.agreement.tables import COLUMNS, agreement_table

    info = units.info
    shared = info.groupby("excerpt_id")["coder"].nunique()
    if info["coder"].nunique() < 2 or not (shared > 1).any():
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for i, r in info.iterrows():
        codes = [c for c, f in zip(units.codes, units.F[i]) if f]
        base = {"excerpt_id": r.excerpt_id, "coder": r.coder, "batch": str(r["round"])}
        rows += [{**base, "code": c} for c in codes] or [{**base, "code": ""}]
    long = pd.DataFrame(rows)
    keep = long["excerpt_id"].isin(shared[shared > 1].index)
    return agreement_table(long[keep].reset_index(drop=True), codebook, by=("code", "batch"), n_boot=n_boot,
                           random_state=random_state)
