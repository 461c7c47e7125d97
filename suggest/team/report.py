"""Agreement between a project's coders before and after adjudication (`suggest agree --project`)."""
from __future__ import annotations

from pathlib import Path


def team_agreement(project: str | Path, out: str | Path, *, by: tuple[str, ...] = (), n_boot: int = 1000,
                   random_state: int = 0) -> dict:
    """Write agreement reports into out/before and out/after; returns the tables and counts.

    Before: each coder's own coding of the excerpts they fully reviewed. After: the same, with each
    coder's coding of a settled excerpt replaced by the lead's consensus, so what remains is the
    disagreement nobody has settled yet.
    """
    import pandas as pd

    from suggest.agreement import agreement_table
    from suggest.corpus import LONG_COLUMNS
    from suggest.report.agreement_html import write_agreement_report
    from suggest.store import Store
    from suggest.team.adjudicate import agreement_codings, disagreements

    with Store.open(project, read_only=True) as store:
        snap = store.snapshot(text=True)
        where = store.where
    found = disagreements(snap)
    settled = sum(d.settled for d in found)
    result = {"disagreements": len(found), "settled": settled, "written": {}}
    for name, after in (("before", False), ("after", True)):
        long = pd.DataFrame(agreement_codings(snap, settled=after), columns=LONG_COLUMNS)
        table = agreement_table(long, snap.codebook, by=("code", *by), n_boot=n_boot, random_state=random_state,
                                path=where)
        title = f"Agreement {name} adjudication: {snap.codebook.name}"
        description = (f"Project {where}: {long['excerpt_id'].nunique()} excerpts reviewed; {len(found)} with a "
                       f"disagreement, {settled} of them settled by a lead. "
                       + ("Each coder's own coding." if not after else
                          "Each coder's coding of a settled excerpt is replaced by the consensus."))
        result[name] = table
        result["written"][name] = write_agreement_report(table, Path(out) / name, title=title,
                                                         description=description)
    return result
