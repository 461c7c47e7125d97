"""The whole synthesis: coded units -> configurations, statements, Table 1, graph, timeline, candidates -> files.

All outputs are written into a temporary folder beside `out` first and moved in only when every
one of them is ready, so a failure leaves `out` as it was.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.synthesis.candidates import Candidate
from suggest.synthesis.configurations import Thresholds

if TYPE_CHECKING:
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

FILES = ["report.html", "configurations.xlsx", "configurations.csv", "statements.xlsx", "table1.docx",
         "programme_theory.png", "programme_theory.svg", "evidence_over_time.xlsx", "evidence_over_time.png",
         "candidates.yaml"]


@dataclass
class Synthesis:
    """Everything `synthesise` found; `write` saves it."""

    units: "CodedUnits"
    thresholds: Thresholds
    reference: str
    configurations: "pd.DataFrame"
    statements: "pd.DataFrame"
    table1: "pd.DataFrame"
    timeline: "pd.DataFrame"
    candidates: list[Candidate] = field(default_factory=list)
    pool_size: int = 0


def check_out(out: str | Path) -> Path:
    """Fail early when `out` cannot be the output folder (a file, or not writable)."""
    from suggest.errors import OutputError
    from suggest.output import ensure_writable_dir

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("this is a file, not a folder", path=out, hint="give --out a folder name")
    parent = out.parent if not out.exists() else out
    while not parent.exists():
        parent = parent.parent
    ensure_writable_dir(parent, what="output folder", create=False)
    return out


def synthesise(units: "CodedUnits", *, thresholds: Thresholds | None = None, reference: str = "consensus",
               previous_statements: "pd.DataFrame | None" = None, encoder=None, candidates: bool = True,
               min_cluster: int = 4, distance: float = 0.45, run_date: str | None = None,
               model=None) -> Synthesis:
    """Run every step on `units`. `encoder`: a fitted embedder (transform(texts) -> (n, dim)) for the
    candidate step; None means the model's encoder, else the default sentence encoder. `model`: a
    SuggestionModel whose scores add to the candidate pool the excerpts where no mechanism scores
    near its threshold."""
    from suggest.synthesis.candidates import candidate_pool, find_candidates
    from suggest.synthesis.configurations import find_configurations
    from suggest.synthesis.statements import draft_statements, merge_statements
    from suggest.synthesis.table1 import table1
    from suggest.synthesis.timeline import evidence_over_time

    t = thresholds or Thresholds()
    conf = find_configurations(units, t)
    statements = merge_statements(draft_statements(units, conf, run_date), previous_statements)
    found, pool_size = [], 0
    if candidates:
        scores = model.predict_proba(units.excerpts["text"].tolist()) if model is not None else None
        pool = candidate_pool(units, scores, model.thresholds if model is not None else None)
        pool_size = len(pool)
        if pool_size:
            if encoder is None and model is not None:
                encoder = model.encoder
            if encoder is None:
                from suggest.embed import SentenceEmbedder

                encoder = SentenceEmbedder(progress=True)
            ex = units.excerpts
            texts = ex["text"].to_numpy()
            rest = sorted(set(range(len(ex))) - set(pool.tolist()))
            found = find_candidates(list(texts[pool]), list(ex["excerpt_id"].to_numpy()[pool]),
                                    encoder.transform(list(texts[pool])), background=list(texts[rest]),
                                    min_size=min_cluster, distance=distance)
    return Synthesis(units, t, reference, conf, statements, table1(units), evidence_over_time(units, conf),
                     found, pool_size)


def write(s: Synthesis, out: str | Path) -> list[Path]:
    """Write every output (FILES) into `out`; returns the paths written."""
    import pandas as pd

    from suggest.output import text_cells, write_csv
    from suggest.synthesis import graph, report, timeline
    from suggest.synthesis.candidates import write_yaml
    from suggest.synthesis.configurations import excerpts_behind
    from suggest.synthesis.statements import write_statements
    from suggest.synthesis.table1 import write_docx

    out = check_out(out)
    base = out if out.exists() else out.parent
    base.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".synthesise-", dir=base))
    try:
        conf = s.configurations
        write_csv(stage / "configurations.csv", conf)
        behind = [excerpts_behind(s.units, r).assign(configuration=r["configuration"])
                  for _, r in conf[conf["supported"]].iterrows()]
        with pd.ExcelWriter(stage / "configurations.xlsx", engine="openpyxl") as xw:
            conf.to_excel(xw, index=False, sheet_name="Configurations")
            cols = ["configuration", "excerpt_id", "codes", "source_type", "document_id", "unit", "text"]
            (pd.concat(behind, ignore_index=True)[cols] if behind else pd.DataFrame(columns=cols)).to_excel(
                xw, index=False, sheet_name="Excerpts behind them")
            for ws in xw.sheets.values():
                text_cells(ws)
        write_statements(stage / "statements.xlsx", s.statements)
        write_docx(stage / "table1.docx", s.table1, f"Definition of programme theory, with illustrative data "
                                                    f"({s.units.codebook.name})")
        g = graph.theory_graph(s.units, conf)
        graph.draw(g, [stage / "programme_theory.png", stage / "programme_theory.svg"],
                   title=f"Programme theory: {s.units.codebook.name}")
        with pd.ExcelWriter(stage / "evidence_over_time.xlsx", engine="openpyxl") as xw:
            w = timeline.wide(s.timeline)
            for kind, sheet in (("code", "Codes"), ("configuration", "Configurations")):
                part = w[w["kind"] == kind] if len(w) else w
                part.to_excel(xw, index=False, sheet_name=sheet)
            s.timeline.to_excel(xw, index=False, sheet_name="Long")
        pictures = {"graph": stage / "programme_theory.png"}
        if timeline.plot(s.timeline, stage / "evidence_over_time.png"):
            pictures["timeline"] = stage / "evidence_over_time.png"
        write_yaml(stage / "candidates.yaml", s.candidates)
        (stage / "report.html").write_text(report.render(s, pictures), encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in FILES:
            if (stage / name).exists():
                os.replace(stage / name, out / name)
                written.append(out / name)
        return written
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(stage)
