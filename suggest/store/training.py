"""Review decisions as training data for the next model (`suggest train --project`).

Rule for training labels (README-ready):

    Only excerpts a coder has fully reviewed count: every suggestion on it accepted or
    rejected. For such an excerpt the coder has decided every code: a code they accepted or
    added is a "yes", a code they rejected, or did not add, is a "no". When several coders
    reviewed the same excerpt, a code is a positive training label if at least half of
    those coders said "yes" (a majority; a tie counts as positive), otherwise a negative one.
    Where a lead has settled an excerpt (`suggest adjudicate`), the consensus alone counts.

The table returned has one row per (coder, reviewed excerpt, positive code), or an empty code
when the coder coded nothing; `CodedCorpus.from_long` applies the majority rule above (a code
is positive when at least half of the coders of an excerpt applied it), and `--coder` still
selects one coder's decisions.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import CodebookMismatchError

if TYPE_CHECKING:
    import pandas as pd

    from suggest.codebook import Codebook

log = logging.getLogger(__name__)


def decisions_as_long(project: str | Path, codebook: "Codebook | None" = None
                      ) -> tuple["pd.DataFrame", "Codebook", dict]:
    """(long table, the project's codebook, extra model config) from a project's decisions.

    The long table has the columns of `suggest.corpus.LONG_COLUMNS` and each excerpt's context. The extra config records
    what the model saw: {"decisions_seen": current decisions used, "decision_ids_max": the
    highest decision id in the project when it was read, "coders": coders who contributed}.
    Raises CodebookMismatchError when `codebook` is not the project's codebook.
    """
    import pandas as pd

    from suggest.corpus import CONTEXT, LONG_COLUMNS
    from suggest.store import Store
    from suggest.store.coded import CONSENSUS_CODER, reviewed_decisions, team_rows

    with Store.open(project, read_only=True) as store:
        snap = store.snapshot(text=True)
    if codebook is not None and codebook.hash != snap.codebook.hash:
        raise CodebookMismatchError(
            f"the project's decisions use codebook '{snap.codebook.name}' version {snap.codebook.version} "
            f"(hash {snap.codebook.hash}), but the codebook given is '{codebook.name}' version "
            f"{codebook.version} (hash {codebook.hash})", path=project, field="codebook",
            hint="train with the project's codebook, or omit --codebook to use it")
    seen, coders = 0, []
    for coder in snap.coders:
        reviewed = reviewed_decisions(snap, coder)
        if reviewed:
            coders.append(coder)
            seen += sum(len(d) for d in reviewed.values())
    if snap.consensus:
        coders.append(CONSENSUS_CODER)
    table = pd.DataFrame(list(team_rows(snap)), columns=LONG_COLUMNS + [CONTEXT, "decided_at"])
    if table.empty:
        log.warning("%s: no excerpt has been fully reviewed yet; the project adds no training data", project)
    extra = {"decisions_seen": seen, "decision_ids_max": snap.max_decision_id, "coders": coders,
             "consensus_excerpts": len(snap.consensus)}
    return table[LONG_COLUMNS + [CONTEXT]].reset_index(drop=True), snap.codebook, extra
