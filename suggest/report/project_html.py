"""The project agreement report (`suggest agree --project`): one HTML page built from sections.

Each part of the report (agreement over rounds, and later parts such as adjudication) builds its own
`Section`s and writes its own files; `write_project_report` puts the sections on one page, in order.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from suggest.report.agreement_html import CSS, _atomic, _html_table

EXTRA_CSS = ".flag{background:#fdecea;border-left:4px solid #b3261e;padding:.6em 1em}" \
            ".ok{background:#eef7ee;border-left:4px solid #2e7d32;padding:.6em 1em}"


@dataclass
class Section:
    """One titled part of the page: `html` is trusted markup (escape data before putting it here);
    `text` is what the terminal prints for it (may be empty)."""

    title: str
    html: str
    text: str = ""


def para(text: str, cls: str = "") -> str:
    """A paragraph of escaped text."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{html.escape(text)}</p>"


def table_html(df: pd.DataFrame, bold: np.ndarray | None = None) -> str:
    """An HTML table of a DataFrame (text escaped, numbers to 3 decimals, NaN as n/a)."""
    return _html_table(df, bold)


def image(path: Path, alt: str) -> str:
    """A PNG embedded in the page, so the report is one file."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def write_project_report(sections: list[Section], out_dir: str | Path, title: str, description: str = "") -> Path:
    """Write `report.html` with the sections in order (atomically); returns its path."""
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="meta">Made {datetime.now():%d %B %Y, %H:%M}.'
             + (f"<br>{html.escape(description)}" if description else "") + "</p>"]
    for s in sections:
        parts += [f"<h2>{html.escape(s.title)}</h2>", s.html]
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}{EXTRA_CSS}</style></head><body>{''.join(parts)}</body></html>")
    return _atomic(Path(out_dir) / "report.html", lambda p: Path(p).write_text(page, encoding="utf-8"))
