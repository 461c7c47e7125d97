"""The programme theory as a picture: contexts -> mechanisms -> outcomes, edges weighted by support."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

COLUMN_OF = {"context": 0, "mechanism": 1, "outcome": 2}


def theory_graph(units: "CodedUnits", configurations: "pd.DataFrame", supported_only: bool = True) -> "nx.DiGraph":
    """A DiGraph with a node per C/M/O code (attributes role, name, column) and edges C->M and M->O
    whose `weight` is the number of units over the configurations they belong to."""
    import networkx as nx

    g = nx.DiGraph()
    for code in units.codebook:
        role = units.roles.get(code.id)
        if role:
            g.add_node(code.id, role=role, name=code.name, column=COLUMN_OF[role])
    rows = configurations[configurations["supported"]] if supported_only else configurations
    for r in rows.itertuples():
        for a, b in ((r.context, r.mechanism), (r.mechanism, r.outcome)):
            w = g.edges[a, b]["weight"] if g.has_edge(a, b) else 0
            g.add_edge(a, b, weight=w + int(r.units))
    return g


def draw(g: "nx.DiGraph", paths: list[str | Path], title: str = "Programme theory") -> None:
    """Draw `g` in three columns (contexts, mechanisms, outcomes) and save to each path (.png / .svg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    pos = {}
    counts = [sum(1 for _, d in g.nodes(data=True) if d["column"] == c) for c in range(3)]
    for col in range(3):
        nodes = [n for n, d in g.nodes(data=True) if d["column"] == col]
        step = min(2.0, (max(counts) - 1) / (len(nodes) - 1)) if len(nodes) > 1 else 1.0
        for i, n in enumerate(nodes):
            pos[n] = (col * 1.0, step * ((len(nodes) - 1) / 2 - i))
    colours = {"context": "#c6dbef", "mechanism": "#fdd0a2", "outcome": "#c7e9c0"}
    tallest = max([1] + counts)
    fig, ax = plt.subplots(figsize=(10, 1.2 + 1.0 * tallest))
    weights = [d["weight"] for _, _, d in g.edges(data=True)]
    top = max(weights, default=1)
    nx.draw_networkx_edges(g, pos, ax=ax, width=[0.8 + 7.0 * w / top for w in weights], edge_color="#555555",
                           alpha=0.6, arrows=True, arrowsize=12, node_size=1900, node_shape="s")
    nx.draw_networkx_nodes(g, pos, ax=ax, node_shape="s", node_size=1900,
                           node_color=[colours[d["role"]] for _, d in g.nodes(data=True)], edgecolors="#444444")
    labels = {n: f"{n}\n{_wrap(d['name'])}" for n, d in g.nodes(data=True)}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=6.5)
    head_y = (tallest - 1) / 2 + 0.75
    for col, head in enumerate(("Contexts", "Mechanisms", "Outcomes")):
        ax.text(col, head_y, head, ha="center", va="bottom", fontsize=11, weight="bold")
    ax.set_ylim(-(tallest - 1) / 2 - 0.6, head_y + 0.4)
    ax.set_xlim(-0.4, 2.4)
    ax.set_title(f"{title}  (line width = units supporting the link; supported configurations only)", fontsize=9)
    ax.axis("off")
    for p in paths:
        fig.savefig(p, dpi=130, bbox_inches="tight")
    plt.close(fig)


def _wrap(name: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(name, width)[:3])
