"""Character n-gram counts for a fitted `char_wb` TfidfVectorizer, word by word with a cache.

scikit-learn's `char_wb` analyser takes n-grams inside each whitespace-separated word (padded
with one space each side), so a text's counts are the sum of its words' counts. Feedback streams
repeat words endlessly: each distinct word is cut into n-grams once, and a text costs one dict
look-up per word. The result is exactly the vectorizer's own `transform` (same counts, same
TF-IDF weighting through its fitted transformer).
"""
from __future__ import annotations

import weakref
from typing import Sequence

import numpy as np
from scipy import sparse

MAX_WORDS = 50_000  # distinct words remembered per vectorizer; the cache starts again when full
_CACHES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def supported(vectorizer) -> bool:
    """True for a fitted char_wb TfidfVectorizer with the default pre-processing this module reproduces."""
    return (getattr(vectorizer, "analyzer", None) == "char_wb" and hasattr(vectorizer, "vocabulary_")
            and vectorizer.preprocessor is None and vectorizer.tokenizer is None and vectorizer.lowercase
            and vectorizer.strip_accents is None and vectorizer.input == "content" and not vectorizer.binary
            and hasattr(vectorizer, "_tfidf"))


def _word_ids(word: str, vocabulary: dict, lo: int, hi: int) -> np.ndarray:
    """Vocabulary ids of the n-grams sklearn's `_char_wb_ngrams` takes from one word (repeats kept)."""
    w = " " + word + " "
    ids = []
    for n in range(lo, hi + 1):
        grams = [w[i:i + n] for i in range(max(len(w) - n + 1, 1))]
        ids.extend(vocabulary[g] for g in grams if g in vocabulary)
        if len(w) <= n:  # a word shorter than n is counted once, then longer n-grams are skipped
            break
    return np.asarray(ids, dtype=np.int64)


def transform(vectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)`, computed word by word (see the module docstring)."""
    cache = _CACHES.get(vectorizer)
    if cache is None or len(cache) > MAX_WORDS:
        cache = {}
        _CACHES[vectorizer] = cache
    vocabulary = vectorizer.vocabulary_
    lo, hi = vectorizer.ngram_range
    pieces, words_per_text = [], []
    for text in texts:
        if not isinstance(text, str):
            raise ValueError("np.nan is an invalid document, expected byte or unicode string.")
        words = vectorizer._white_spaces.sub(" ", text.lower()).split()
        for word in words:
            ids = cache.get(word)
            if ids is None:
                ids = cache[word] = _word_ids(word, vocabulary, lo, hi)
            pieces.append(ids)
        words_per_text.append(len(words))
    cols = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
    piece_rows = np.repeat(np.arange(len(texts)), words_per_text)
    at = np.repeat(piece_rows, [len(p) for p in pieces])
    counts = sparse.csr_matrix((np.ones(len(cols), dtype=vectorizer.dtype), (at, cols)),
                               shape=(len(texts), len(vocabulary)), dtype=vectorizer.dtype)
    counts.sum_duplicates()
    counts.sort_indices()
    return vectorizer._tfidf.transform(counts, copy=False)
