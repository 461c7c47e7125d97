"""Output polish: CSV byte-order mark, formatted workbooks, plain-word reasons, help text, a closed pipe."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_csv_starts_with_a_byte_order_mark_and_reads_back(tmp_path):
    from suggest.corpus import read_table
    from suggest.output import write_table

    path = write_table(tmp_path / "t.csv", pd.DataFrame({"excerpt_id": ["a"], "text": ["Café déjà vu"]}))
    assert path.read_bytes().startswith(b"\xef\xbb\xbfexcerpt_id,text")
    assert read_table(path).columns.tolist() == ["excerpt_id", "text"]


def test_workbooks_get_header_widths_wrapping_and_a_frozen_row(tmp_path):
    from openpyxl import load_workbook

    from suggest.output import write_table

    write_table(tmp_path / "next.xlsx", pd.DataFrame({"rank": [1], "text": ["long " * 40], "reason": ["r"]}),
                sheet_name="next")
    ws = load_workbook(tmp_path / "next.xlsx")["next"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width >= 60


def test_reasons_in_plain_words_with_figures_apart():
    from suggest.active.pick import plain_reason

    codes = ["M3", "M5", "M7"]
    text, unsure, few = plain_reason(np.array([0.30, 0.42, 0.47]), np.array([0.5, 0.44, 0.45]),
                                     np.array([6, 70, 80]), codes)
    assert text == "The model is unsure between M5 and M7; few coded examples of M3 so far"
    assert unsure == ["M5", "M7"] and few == 6


def test_agree_help_shows_one_percent_sign(capsys):
    from suggest.cli import main

    with pytest.raises(SystemExit):
        main(["agree", "--help"])
    out = capsys.readouterr().out
    assert "95%" in out and "95%%" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pipe")
def test_closed_pipe_exits_quietly():
    cmd = f"'{sys.executable}' -m suggest codebook training_data/retake/codebook.yaml | head -2"
    done = subprocess.run(["bash", "-c", cmd], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert len(done.stdout.splitlines()) == 2
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
