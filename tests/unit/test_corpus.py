from pathlib import Path

import numpy as np
import pytest

from suggest.corpus import CodedCorpus, read_long, read_wide
from suggest.errors import DataError, EmptyBatchError, UnknownCodeError


def write(tmp_path: Path, text: str, name: str = "coded.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_corpus_meets_its_promises(coded_long, codebook):
    corpus = CodedCorpus.from_long(coded_long, codebook, coder="amira")
    assert len(corpus) >= 600
    assert corpus.Y.sum(axis=0).min() >= 30
    assert (corpus.Y.sum(axis=1) > 1).mean() > 0.3          # many excerpts carry several codes
    assert 0.05 < (corpus.Y.sum(axis=1) == 0).mean() < 0.3  # and some carry none
    both = coded_long.groupby("excerpt_id")["coder"].nunique()
    assert (both >= 2).sum() >= 150


def test_missing_column_is_named(tmp_path, codebook):
    p = write(tmp_path, "excerpt_id,text\na,hello\n")
    with pytest.raises(DataError, match="missing required column.*code"):
        read_long(p, codebook)


def test_empty_text_names_the_row(tmp_path, codebook):
    p = write(tmp_path, "excerpt_id,text,code\na,hello,M1\nb,  ,M2\n")
    with pytest.raises(DataError) as err:
        read_long(p, codebook)
    assert "row 3" in str(err.value) and "'text'" in str(err.value)


def test_unknown_code_names_the_row(tmp_path, codebook):
    p = write(tmp_path, "excerpt_id,text,code\na,hello,M1\nb,bye,M99\n")
    with pytest.raises(UnknownCodeError) as err:
        read_long(p, codebook)
    assert "row 3" in str(err.value) and "M99" in str(err.value)


def test_empty_file_and_non_utf8(tmp_path, codebook):
    with pytest.raises(EmptyBatchError):
        read_long(write(tmp_path, ""), codebook)
    bad = tmp_path / "latin.csv"
    bad.write_bytes("excerpt_id,text,code\na,caf\xe9,M1\n".encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8"):
        read_long(bad, codebook)


def test_same_id_with_two_texts_is_refused(tmp_path, codebook):
    p = write(tmp_path, "excerpt_id,text,code\na,hello,M1\na,hello there,M2\n")
    with pytest.raises(DataError, match="different texts"):
        read_long(p, codebook)


def test_texts_like_none_are_kept(tmp_path, codebook):
    long = read_long(write(tmp_path, "excerpt_id,text,code\na,None,\nb,N/A,M1\n"), codebook)
    assert long["text"].tolist() == ["None", "N/A"]


def test_majority_rule_and_single_coder(tmp_path, codebook):
    p = write(tmp_path, "excerpt_id,text,code,coder\n"
                        "a,t1,M1,ann\na,t1,M2,ann\na,t1,M1,bob\n"
                        "b,t2,,ann\nb,t2,O1,bob\nb,t2,,cat\n")
    long = read_long(p, codebook)
    both = CodedCorpus.from_long(long, codebook)
    m1, m2, o1 = codebook.index("M1"), codebook.index("M2"), codebook.index("O1")
    assert both.Y[0, m1] == 1 and both.Y[0, m2] == 1      # 1 of 2 coders: a tie counts
    assert both.Y[1, o1] == 0                             # 1 of 3 coders: below half
    ann = CodedCorpus.from_long(long, codebook, coder="ann")
    assert ann.Y[1].sum() == 0
    with pytest.raises(DataError, match="no coding by coder 'zed'"):
        CodedCorpus.from_long(long, codebook, coder="zed")


def test_wide_table(tmp_path):
    p = write(tmp_path, "id,comment,score,Staff attitude,Food & drink\n"
                        "1,Lovely nurses,5,1,\n2,Cold dinner,2,,1\n3,,3,,\n4,None,3,,\n", "wide.csv")
    long, cb = read_wide(p, text_column="comment", codes_after="score", id_column="id")
    assert cb.ids == ["staff_attitude", "food_drink"]
    corpus = CodedCorpus.from_long(long, cb)
    assert corpus.ids == ["1", "2", "4"]
    np.testing.assert_array_equal(corpus.Y, [[1, 0], [0, 1], [0, 0]])
    with pytest.raises(DataError, match="no column named 'text'"):
        read_wide(p, text_column="text", codes_after="score")


@pytest.mark.parametrize("content", ['excerpt_id,text,code\n1,hello,M1\n2,"unclosed,M2\n',
                                     "excerpt_id,text,code\n1,hello,M1\n2,a,b,c\n"])
def test_malformed_csv_names_the_row(tmp_path, codebook, content):
    with pytest.raises(DataError, match="row 3: malformed CSV"):
        read_long(write(tmp_path, content), codebook)
