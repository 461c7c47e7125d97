"""The agreement report: CSV, Excel, PNG plots, self-contained HTML and the terminal summary."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from suggest.agreement import agreement_table
from suggest.codebook import Code, Codebook
from suggest.errors import OutputError
from suggest.report import agreement_html
from suggest.report.agreement_html import summary_text, write_agreement_report

CB = Codebook(name="t", domains=("context", "mechanism"), codes=(
    Code("C1", "Setting <script>alert(1)</script>", "where it happens", "context"),
    Code("M1", "Support & advice", "help given", "mechanism"),
    Code("M2", "Praise", "praise given", "mechanism"),
))


def coded(n: int = 60, seed: int = 0, coders=("ann", "bob", "model:lex"), batches: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.random((n, 3)) < [0.3, 0.25, 0.0]
    rows = []
    for i in range(n):
        for c in coders:
            y = truth[i] ^ ((rng.random(3) < (0.1 if c != "model:lex" else 0.2)) & [True, True, False])
            for code in [CB.ids[j] for j in np.flatnonzero(y)] or [""]:
                rows.append({"excerpt_id": f"e{i}", "text": "t", "code": code, "coder": c,
                             "source_type": "email" if i % 2 else "record_form",
                             "batch": f"2024-0{1 + i * 3 // n}"})
    df = pd.DataFrame(rows)
    return df if batches else df.drop(columns="batch")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return agreement_table(coded(), CB, by=("code", "source_type", "batch"), n_boot=200)


def test_report_writes_every_file(tmp_path, table):
    out = write_agreement_report(table, tmp_path / "rep", title="Pilot <batch> & co")
    names = sorted(p.name for p in out.values())
    assert names == ["agreement.csv", "agreement.xlsx", "agreement_by_code.png", "agreement_model_vs_coder.png",
                     "agreement_over_batches.png", "report.html"]
    for key in ("png_by_code", "png_model_vs_coder", "png_over_batches"):
        assert out[key].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(out["csv"], keep_default_na=False, na_values=[""])
    assert back.shape == table.shape and list(back.columns) == list(table.columns)
    assert not list((tmp_path / "rep").glob(".*tmp*"))


def test_html_is_self_contained_and_escaped(tmp_path, table):
    page = write_agreement_report(table, tmp_path, title="Pilot <batch> & co")["html"].read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "Pilot &lt;batch&gt; &amp; co" in page
    assert "Setting &lt;script&gt;alert(1)&lt;/script&gt;" in page and "Support &amp; advice" in page
    assert "Cohen&#x27;s kappa" in page or "Cohen's kappa" in page
    assert "confidence interval" in page and "model:lex" in page


def test_excel_is_readable(tmp_path, table):
    import openpyxl

    wb = openpyxl.load_workbook(write_agreement_report(table, tmp_path)["xlsx"])
    assert wb.sheetnames == ["Summary", "All rows", "Read me"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.cell(1, 1).font.bold
    ws = wb["All rows"]
    header = [c.value for c in ws[1]]
    kcol = header.index("kappa") + 1
    kappas = [ws.cell(r, kcol) for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, kcol).value, float)]
    assert kappas and all(round(c.value, 3) == c.value for c in kappas)
    assert all(c.number_format == "0.000" for c in kappas)
    assert ws.column_dimensions["A"].width >= 8 and ws.column_dimensions[ws.cell(1, len(header)).column_letter].width > 30


def test_optional_plots_left_out_without_models_or_batches(tmp_path):
    t = agreement_table(coded(coders=("ann", "bob"), batches=False), CB, n_boot=50)
    out = write_agreement_report(t, tmp_path)
    assert "png_model_vs_coder" not in out and "png_over_batches" not in out
    assert tmp_path.joinpath("report.html").read_text(encoding="utf-8").count("<img") == 1


def test_summary_text_fits_a_screen(table):
    text = summary_text(table)
    lines = text.splitlines()
    assert len(lines) <= 25 and max(map(len, lines)) <= 130
    assert "Support & advice" in text and "ann vs bob" in text and "ann vs model:lex" in text
    assert text.index("ann vs bob") < text.index("ann vs model:lex")
    row = table[(table.breakdown == "all") & (table.code == "M1") & (table.coder_a == "ann") & (table.coder_b == "bob")]
    r = row.iloc[0]
    assert f"{r.kappa:.2f} [{r.kappa_ci_low:.2f}, {r.kappa_ci_high:.2f}]" in text
    m2 = next(line for line in lines if line.startswith("M2"))
    assert "n/a" in m2 and "M2: no coder used this code" in text


def test_unwritable_folder_is_an_output_error(tmp_path, table):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_agreement_report(table, blocker / "rep")


def test_failed_write_keeps_the_old_file(tmp_path, table, monkeypatch):
    out = write_agreement_report(table, tmp_path)
    before = out["xlsx"].read_bytes()

    def broken(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(agreement_html, "_write_xlsx", broken)
    with pytest.raises(OutputError, match="agreement.xlsx"):
        write_agreement_report(table, tmp_path)
    assert out["xlsx"].read_bytes() == before
    assert not list(tmp_path.glob(".*tmp*"))


def test_heavy_imports_stay_lazy():
    code = ("import sys, suggest.agreement, suggest.report.agreement_html; "
            "print(sorted(m for m in ('matplotlib', 'sklearn', 'openpyxl', 'krippendorff') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
