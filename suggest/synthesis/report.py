"""The synthesis as one self-contained HTML page: what each output means, in plain words."""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from suggest.synthesis.run import Synthesis

CORRECTIONS = {"by": "Benjamini-Yekutieli", "bh": "Benjamini-Hochberg"}
EXPLAIN_CONFIGURATIONS = (
    "A <b>configuration</b> is a context, a mechanism and an outcome that the coding puts in the same "
    "{unit}. <b>Units</b> counts the {unit}s holding all three; <b>documents</b> and <b>source types</b> "
    "say how widely that evidence is spread. <b>Lift</b> says how many times more often the context and the "
    "outcome come together in {unit}s that show the mechanism than in {unit}s that do not: 1 means the "
    "mechanism makes no difference, 3 means three times as often; the range is a 95% confidence interval. "
    "The <b>q-value</b> is the chance of seeing a link this strong by coincidence alone, corrected for having "
    "looked at many configurations at once ({correction}): below 0.05 we call the link beyond chance. "
    "A configuration is <b>supported</b> when it is beyond chance and rests on at least {min_units} {unit}s "
    "from at least {min_documents} documents; <b>thin</b> ones are kept, flagged, for the team to judge.")


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}" style="max-width:min(100%,900px)">'


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def render(s: "Synthesis", pictures: dict[str, Path]) -> str:
    """The page as a string; `pictures` maps 'graph' and 'timeline' to PNG files to embed."""
    e = html.escape
    u = s.units
    unit = u.unit
    conf = s.configurations
    parts = [f"<h1>Programme theory from the coding: {e(u.codebook.name)}</h1>",
             f"<p>{len(u.excerpts)} coded excerpts in {u.excerpts['unit'].nunique()} {unit}s"
             + (f" ({u.excerpts['document_id'].nunique()} documents)" if unit != "document" else "")
             + f"; coding by {e(', '.join(u.coders))} "
             f"({e(s.reference)}). {int(conf['supported'].sum())} of {len(conf)} configurations are supported.</p>"]
    if u.excerpts["suggested"].any():
        parts.append(f"<p class=warn>{int(u.excerpts['suggested'].sum())} excerpts carry unreviewed model "
                     "suggestions (--include-suggestions): every figure below that rests on them says so.</p>")
    parts += ["<h2>Programme-theory graph</h2>",
              "<p>Contexts on the left, mechanisms in the middle, outcomes on the right. A line joins codes "
              "that belong to a supported configuration; the thicker the line, the more units support it.</p>",
              _img(pictures["graph"]) if "graph" in pictures else ""]
    parts += ["<h2>CMO configurations</h2>",
              "<p>" + EXPLAIN_CONFIGURATIONS.format(unit=unit, min_units=s.thresholds.min_units,
                                                     min_documents=s.thresholds.min_documents,
                                                     correction=CORRECTIONS[s.thresholds.correction]) + "</p>"]
    rows = [[str(r.rank), e(f"{r.context} {r.context_name}"), e(f"{r.mechanism} {r.mechanism_name}"),
             e(f"{r.outcome} {r.outcome_name}"), str(r.units), str(r.documents), e(r.source_types),
             f"{r.lift:.2f} [{r.lift_low:.2f}, {r.lift_high:.2f}]", f"{r.q_value:.3g}",
             "yes" if r.supported else "no", e(r.flag)] for r in conf.head(40).itertuples()]
    parts.append(_table(["#", "Context", "Mechanism", "Outcome", "Units", "Documents", "Sources", "Lift [95% CI]",
                         "q", "Supported", "Flag"], rows))
    if len(conf) > 40:
        parts.append(f"<p>{len(conf) - 40} more in configurations.xlsx.</p>")
    parts += ["<h2>If-then-because statements</h2>",
              "<p>One draft per supported configuration, built from the codes' names and definitions. Edit them "
              "in <code>statements.xlsx</code>: choose a status (support, refine, refute, new) and write the "
              "team's wording; a re-run keeps both and refreshes the evidence.</p>"]
    st = s.statements
    parts.append(_table(["Configuration", "Statement", "Units", "Status", "Team wording", "Quote"],
                        [[e(r["configuration"]), e(r["draft statement"]), e(str(r["units"])), e(str(r["status"])),
                          e(str(r["team wording"])), e(str(r["quote 1"]))] for _, r in st.iterrows()]))
    parts += ["<h2>Table 1: definition of the programme theory, with illustrative data</h2>",
              "<p>Each code with its definition and quotes chosen from different documents and source types, "
              "favouring excerpts that more coders agreed on. The same table is in <code>table1.docx</code>, "
              "ready to paste into a paper.</p>"]
    t1 = [[e(r.domain), e(f"{r.name} ({r.code})"), e(r.definition),
           "<br><br>".join(e(q) for q in r.quotes) or "<i>no human coding yet</i>"] for r in s.table1.itertuples()]
    parts.append(_table(["Domain", "Theme", "Definition", "Illustrative quotes"], t1))
    parts += ["<h2>Evidence over time</h2>",
              "<p>How many units support each supported configuration, month by month (or batch by batch), "
              "added up: a rising line is a theory gaining evidence as coding goes on; a flat one has stopped "
              "gaining it. Every code and configuration per period is in <code>evidence_over_time.xlsx</code>.</p>",
              _img(pictures["timeline"]) if "timeline" in pictures else "<p>No dates or batches in the data.</p>"]
    parts += ["<h2>Candidate new mechanisms</h2>",
              f"<p>Excerpts the team coded with no mechanism ({s.pool_size} of them) were grouped by meaning. Each "
              "group below is a candidate the team can name, define and add to the codebook "
              "(<code>candidates.yaml</code>), or set aside. Larger, more coherent groups come first; coherence is "
              "how alike its excerpts are (1 = identical meaning).</p>"]
    cand = [[str(c.rank), str(c.size), f"{c.coherence:.2f}", e(", ".join(c.words)),
             "<br>".join(e(f"{i}: {t[:200]}") for i, t in list(zip(c.excerpt_ids, c.texts))[:3])]
            for c in s.candidates]
    parts.append(_table(["#", "Excerpts", "Coherence", "Distinctive words", "Most central excerpts"], cand)
                 if cand else "<p>No group of uncoded excerpts was large enough.</p>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 6px;"
             "vertical-align:top;text-align:left}th{background:#f2f2f2}.warn{background:#fff3cd;padding:.5em}")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Programme theory: "
            f"{e(u.codebook.name)}</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")
