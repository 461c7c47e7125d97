"""Agreement between a project's coders before and after adjudication (`suggest agree --project`)."""
from __future__ import annotations

from pathlib import Path

from suggest.errors import SuggestError


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


def adjudication_sections(project: str | Path, out: str | Path, *, n_boot: int = 1000,
                          random_state: int = 0) -> list:
    """The adjudication part of the project report (`suggest agree --project`): agreement between
    coders before and after adjudication, per code, with the full reports in out/adjudication/."""
    import pandas as pd

    from suggest.report.project_html import Section, para, table_html

    try:
        result = team_agreement(project, Path(out) / "adjudication", n_boot=n_boot, random_state=random_state)
    except SuggestError as exc:  # e.g. no two coders reviewed the same excerpts
        return [Section("Before and after adjudication", para(f"Not measured: {exc}"), "")]
    rows = []
    for name in ("before", "after"):
        t = result[name]
        t = t[(t["scope"] == "code") & (t["breakdown"] == "all")]
        rows.append(t[["coder_a", "coder_b", "code", "percent_agreement", "kappa"]].assign(when=name))
    table = pd.concat(rows).pivot_table(index=["coder_a", "coder_b", "code"], columns="when",
                                        values=["percent_agreement", "kappa"]).reset_index()
    table.columns = [" ".join(c).strip() if isinstance(c, tuple) else c for c in table.columns]
    open_ = result["disagreements"] - result["settled"]
    summary = (f"{result['disagreements']} excerpts with a disagreement between coders; {result['settled']} settled "
               f"by a lead, {open_} still open (`suggest adjudicate`).")
    files = ", ".join(str(w["html"]) for w in result["written"].values())
    html = para(summary) + table_html(table) + para(f"Full reports: {files}")
    return [Section("Before and after adjudication", html, f"Adjudication: {summary}")]
