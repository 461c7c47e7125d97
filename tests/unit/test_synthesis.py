"""`suggest synthesise` on constructed coded corpora: planted configurations, statements kept across
re-runs, Table 1, candidate mechanisms, and bad inputs that leave --out untouched."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from suggest.codebook import Code, Codebook
from suggest.corpus import validate_long
from suggest.embed import FakeEmbedder
from suggest.errors import CodebookError, DataError
from suggest.synthesis import find_configurations, from_long, synthesise, write
from synthesis_corpora import CMO, PLANTED, candidate_corpus, planted_long


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_configuration_ranks_first_and_random_ones_are_not_supported(seed):
    conf = find_configurations(from_long(planted_long(seed), CMO, unit="excerpt"))
    top = conf.iloc[0]
    assert (top.context, top.mechanism, top.outcome) == PLANTED
    assert top.supported and top.units >= 18 and top.lift > 2 and top.q_value < 0.001
    random_ones = conf[conf.configuration != "C1 > M3 > O2"]
    assert not random_ones.supported.any()
    # random triples do co-occur, often enough not to be thin: they fail on chance, not on counts
    solid = random_ones[(random_ones.units >= 3) & (random_ones.documents >= 2)]
    assert len(solid) >= 5 and (solid.q_value > 0.05).all()
    assert (conf.flag[conf.units < 3].str.startswith("thin")).all()


def test_document_unit_counts_documents_and_needs_no_extra_column():
    units = from_long(planted_long(0), CMO, unit="document")
    assert units.excerpts["unit"].nunique() == 60
    conf = find_configurations(units)
    assert conf.iloc[0].configuration == "C1 > M3 > O2"
    assert (conf.units <= 60).all()


def test_thread_unit_without_thread_column_is_a_clear_error():
    with pytest.raises(DataError, match="thread_id") as err:
        from_long(planted_long(0), CMO, unit="thread")
    assert "--unit" in str(err.value)


def test_codebook_without_domains_says_how_to_add_them():
    flat = Codebook(name="flat", codes=tuple(Code(c.id, c.name, c.definition) for c in CMO))
    with pytest.raises(CodebookError, match="no context and no mechanism and no outcome codes") as err:
        from_long(planted_long(0), flat)
    assert "domain:" in str(err.value) and "--domains" in str(err.value)
    units = from_long(planted_long(0), flat, domains="context=C*,mechanism=M*,outcome=O*")
    assert units.codes_in("mechanism") == [f"M{i}" for i in range(1, 7)]


def test_consensus_and_one_coder():
    long = validate_long(pd.DataFrame([
        {"excerpt_id": "x", "text": "t", "code": "C1", "coder": "a"},
        {"excerpt_id": "x", "text": "t", "code": "M1", "coder": "a"},
        {"excerpt_id": "x", "text": "t", "code": "C1", "coder": "b"},
        {"excerpt_id": "x", "text": "t", "code": "O1", "coder": "c"}]), CMO)
    both = from_long(long, CMO, unit="excerpt")
    assert [CMO.ids[j] for j in np.flatnonzero(both.Y[0])] == ["C1"]  # 2 of 3 coders; M1 and O1 1 of 3
    assert both.agreed[0, CMO.index("C1")] == 2
    only_a = from_long(long, CMO, coder="a", unit="excerpt")
    assert [CMO.ids[j] for j in np.flatnonzero(only_a.Y[0])] == ["C1", "M1"]


def _edit_statement(path, configuration, status, wording):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[head.index("configuration")].value == configuration:
            row[head.index("status")].value = status
            row[head.index("team wording")].value = wording
    extra = [None] * len(head)
    extra[head.index("configuration")] = ""
    extra[head.index("status")] = "new"
    extra[head.index("team wording")] = "If peers meet weekly, then fidelity improves, because of shared learning."
    ws.append(extra)
    wb.save(path)


def test_statements_keep_team_status_and_wording_across_a_rerun(tmp_path):
    from suggest.synthesis.statements import read_statements

    out = tmp_path / "synth"
    first = planted_long(0, planted_docs=14)
    s1 = synthesise(from_long(first, CMO, unit="excerpt"), candidates=False, run_date="2026-01-05")
    write(s1, out)
    assert s1.statements.configuration.tolist() == ["C1 > M3 > O2"]
    assert s1.statements["draft statement"][0].startswith("If context 1 (situation number 1), then outcome 2, "
                                                          "because mechanism 3: response number 3")
    _edit_statement(out / "statements.xlsx", "C1 > M3 > O2", "refine", "If trial set-up, then ... (our words)")
    more = planted_long(0, planted_docs=25)  # new coding: more documents hold the planted triple
    previous = read_statements(out / "statements.xlsx")
    s2 = synthesise(from_long(more, CMO, unit="excerpt"), candidates=False, previous_statements=previous, run_date="2026-02-09")
    write(s2, out)
    again = read_statements(out / "statements.xlsx")
    row = again[again.configuration == "C1 > M3 > O2"].iloc[0]
    assert row["status"] == "refine" and row["team wording"] == "If trial set-up, then ... (our words)"
    assert int(row["units"]) > int(s1.statements["units"][0])
    assert row["first seen"] == "2026-01-05" and row["last updated"] == "2026-02-09"
    team = again[again.configuration == ""]
    assert team["status"].tolist() == ["new"] and "weekly" in team["team wording"].iloc[0]


def test_a_bad_status_in_the_workbook_is_refused_with_its_row(tmp_path):
    from openpyxl import load_workbook

    from suggest.synthesis.statements import read_statements

    out = tmp_path / "synth"
    write(synthesise(from_long(planted_long(0), CMO), candidates=False), out)
    wb = load_workbook(out / "statements.xlsx")
    ws = wb.active
    ws.cell(row=2, column=[c.value for c in ws[1]].index("status") + 1).value = "maybe"
    wb.save(out / "statements.xlsx")
    with pytest.raises(DataError, match="unknown status 'maybe'") as err:
        read_statements(out / "statements.xlsx")
    assert "row 2" in str(err.value)


def test_planted_uncovered_theme_is_a_top_candidate_with_its_words():
    from suggest.synthesis.candidates import to_yaml

    # hashed bag-of-words vectors are noisier than sentence embeddings: a looser merge distance
    s = synthesise(from_long(candidate_corpus(), CMO), encoder=FakeEmbedder(dim=256), distance=0.6)
    assert s.pool_size == 67  # the mechanism-coded excerpts are not in the pool
    top = s.candidates[:2]
    hit = next(c for c in top if sum(e.startswith("park") for e in c.excerpt_ids) >= 5)
    assert sum(not e.startswith("park") for e in hit.excerpt_ids) <= 1
    assert {"permit", "parking", "car park"} & set(hit.words[:4])
    import yaml

    fragment = yaml.safe_load(to_yaml(s.candidates))
    assert [c["id"] for c in fragment["codes"]] == [f"NEW{c.rank}" for c in s.candidates]
    assert all(c["domain"] == "mechanism" and c["name"].startswith("Name me") for c in fragment["codes"])


def test_write_puts_every_output_in_out(tmp_path):
    from docx import Document

    from suggest.synthesis.run import FILES

    s = synthesise(from_long(planted_long(0), CMO, unit="excerpt"), encoder=FakeEmbedder())
    write(s, tmp_path / "out")
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert names == set(FILES) - ({"evidence_over_time.png"} if "evidence_over_time.png" not in names else set())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".synthesise")]
    doc = Document(str(tmp_path / "out" / "table1.docx"))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert all(any(f"({code})" in c for c in cells) for code in CMO.ids)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "C1 &gt; M3 &gt; O2" in html and "data:image/png;base64," in html


def test_fisher_and_fdr_match_scipy():
    from scipy.stats import false_discovery_control, fisher_exact

    from suggest.synthesis.configurations import fdr, fisher_greater

    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b, c, d = (int(x) for x in rng.integers(0, 40, 4))
        assert fisher_greater(a, b, c, d) == pytest.approx(
            fisher_exact([[a, b], [c, d]], alternative="greater").pvalue, rel=1e-9, abs=1e-12)
    p = rng.random(40) ** 3
    for method in ("bh", "by"):
        assert np.allclose(fdr(p, method), false_discovery_control(p, method=method))


def test_thread_unit_groups_excerpts_by_the_thread_id_column(tmp_path):
    from suggest.synthesis import from_table

    table = planted_long(0, p=0.05)  # sparse: a thread of 8 excerpts would otherwise hold nearly every code
    table["thread_id"] = "thread-" + (table["document_id"].str[-2:].astype(int) // 2).astype(str)
    path = tmp_path / "coded.csv"
    table.to_csv(path, index=False)
    units = from_table([path], CMO, unit="thread")
    assert units.excerpts["unit"].nunique() == 30
    assert find_configurations(units).iloc[0].configuration == "C1 > M3 > O2"
