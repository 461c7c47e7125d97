"""The wide loader on the real NHS Friends and Family Test table (skipped when ../shared is absent)."""
from pathlib import Path

import pytest

NHS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nhs-fft" / "v6framework_230831.csv"
pytestmark = pytest.mark.skipif(not NHS.is_file(), reason=f"NHS data not found at {NHS}")


def test_wide_loader_reads_the_nhs_framework():
    from suggest.corpus import CodedCorpus, read_wide

    long, codebook = read_wide(NHS, text_column="FFT answer", codes_after="Comment sentiment",
                               id_column="Comment ID")
    assert len(codebook) == 50
    assert "staff_manner_personal_attributes" in codebook
    corpus = CodedCorpus.from_long(long, codebook)
    assert 6000 < len(corpus) < 7908                    # empty texts dropped
    assert corpus.Y.sum() > len(corpus)                 # multi-label
    texts = set(corpus.texts)
    assert "Did not answer" in texts                    # read as text, not as missing
