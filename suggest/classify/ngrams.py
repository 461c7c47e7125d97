"""Exact, faster `transform` for the lexical model's two fitted TfidfVectorizers.

scikit-learn counts n-grams document by document in Python. Here a whole chunk is counted at
once: tokens are looked up with C-level `map` over one flat list, and counts are built as
sparse matrices. The result is exactly the vectorizer's own `transform` (same counts, same
TF-IDF weighting through its fitted transformer); tests compare the two.

- `char_wb` n-grams are taken inside each whitespace-separated word (padded with one space each
  side), so a text's counts are (texts x distinct words) @ (distinct words x n-grams). Feedback
  streams repeat words endlessly: each distinct word is cut into n-grams once and remembered.
- word n-grams are consecutive tokens of the vectorizer's token pattern; an n-gram is looked up as
  a tuple of tokens, and n-grams that would cross from one text into the next are dropped.
"""
from __future__ import annotations

import re
import weakref
from itertools import repeat
from typing import Sequence

import numpy as np
from scipy import sparse

MAX_WORDS = 50_000  # distinct words remembered per char vectorizer; the memory starts again when full
_CACHES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_NAN_ERROR = "np.nan is an invalid document, expected byte or unicode string."


def _plain(vectorizer) -> bool:
    return (hasattr(vectorizer, "vocabulary_") and hasattr(vectorizer, "_tfidf") and vectorizer.preprocessor is None
            and vectorizer.tokenizer is None and vectorizer.lowercase and vectorizer.strip_accents is None
            and vectorizer.input == "content" and not vectorizer.binary)


def supported(vectorizer) -> bool:
    """True for a fitted TfidfVectorizer this module reproduces exactly: `char_wb`, or word 1- and 2-grams
    matched by a token pattern that cannot match a space, without stop words; default pre-processing."""
    if not _plain(vectorizer):
        return False
    if vectorizer.analyzer == "char_wb":
        return True
    return (vectorizer.analyzer == "word" and vectorizer.stop_words is None and vectorizer.token_pattern is not None
            and vectorizer.ngram_range[1] <= 2 and re.compile(vectorizer.token_pattern).groups == 0
            and all(" " not in t for t in re.findall(vectorizer.token_pattern, "a b  c\td e-f g'h")))


def transform(vectorizer, texts: Sequence[str], pieces: tuple | None = None, *,
              sorted_indices: bool = True) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for a supported vectorizer (see the module docstring); `pieces`:
    `split(texts)`, when several vectorizers read the same texts. `sorted_indices=False` leaves each
    row's features in any order (the same matrix for products, without the time to sort it)."""
    texts = list(texts)
    if not all(isinstance(t, str) for t in texts):
        raise ValueError(_NAN_ERROR)
    pieces = pieces or split(texts)
    counts = _char_counts(vectorizer, texts, pieces) if vectorizer.analyzer == "char_wb" else \
        _word_counts(vectorizer, texts, pieces)
    if sorted_indices:
        counts.sort_indices()
    return vectorizer._tfidf.transform(counts, copy=False)


def _matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], dtype) -> sparse.csr_matrix:
    """A count of one at each (rows[m], cols[m]); `rows` must not decrease. Repeats and unsorted columns are
    kept as they are: matrix products and sums add them up."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((np.ones(len(cols), dtype=dtype), cols, indptr), shape=shape)


# --- char_wb --------------------------------------------------------------------------------------
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


def _char_counts(vectorizer, texts: list[str], pieces: tuple) -> sparse.csr_matrix:
    memory = _CACHES.get(vectorizer)
    if memory is None or len(memory) > MAX_WORDS:
        memory = _CACHES[vectorizer] = {}
    vocabulary, (lo, hi), dtype = vectorizer.vocabulary_, vectorizer.ngram_range, vectorizer.dtype
    distinct, at, row = pieces
    grams = []
    for word in distinct:
        ids = memory.get(word)
        if ids is None:
            ids = memory[word] = _word_ids(word, vocabulary, lo, hi)
        grams.append(ids)
    W = _matrix(row, at, (len(texts), len(distinct)), dtype)
    return (W @ _stacked(grams, len(vocabulary), dtype)).tocsr()


# --- words ----------------------------------------------------------------------------------------
def _word_tables(vectorizer) -> tuple["re.Pattern", dict[int, dict], dict]:
    """The compiled token pattern; per n, the vocabulary keyed by n tokens (a tuple for n > 1); and the
    memory of pieces already cut. Built once."""
    tables = _CACHES.get(vectorizer)
    if tables is None or len(tables[2]) > MAX_WORDS:
        by_n: dict[int, dict] = {1: {}, 2: {}}
        for gram, j in vectorizer.vocabulary_.items():
            tokens = tuple(gram.split(" "))
            by_n.setdefault(len(tokens), {})[tokens if len(tokens) > 1 else tokens[0]] = j
        tables = _CACHES[vectorizer] = (re.compile(vectorizer.token_pattern), by_n, {})
    return tables


def _piece_grams(piece: str, pattern, by_n: dict[int, dict], lo: int, hi: int) -> tuple:
    """(vocabulary ids of the n-grams inside one whitespace-free piece, its first token, its last token)."""
    tokens = pattern.findall(piece)
    ids = []
    if lo <= 1:
        ids += [j for j in map(by_n[1].get, tokens, repeat(-1)) if j >= 0]
    if hi >= 2:
        ids += [j for j in map(by_n[2].get, zip(tokens, tokens[1:]), repeat(-1)) if j >= 0]
    return np.asarray(ids, dtype=np.int64), (tokens[0] if tokens else None), (tokens[-1] if tokens else None)


def _word_counts(vectorizer, texts: list[str], pieces: tuple) -> sparse.csr_matrix:
    """Tokens never hold whitespace, so a text's n-grams are those inside each whitespace-separated piece
    plus, for bigrams, the last token of one piece with the first token of the next piece that has any."""
    pattern, by_n, memory = _word_tables(vectorizer)
    (lo, hi), dtype, n_features = vectorizer.ngram_range, vectorizer.dtype, len(vectorizer.vocabulary_)
    distinct, at, row = pieces
    info = []
    for piece in distinct:
        grams = memory.get(piece)
        if grams is None:
            grams = memory[piece] = _piece_grams(piece, pattern, by_n, lo, hi)
        info.append(grams)
    counts = _matrix(row, at, (len(texts), len(distinct)), dtype) @ _stacked([g[0] for g in info], n_features, dtype)
    if hi < 2 or not len(at):
        return counts.tocsr()
    firsts, lasts = [g[1] for g in info], [g[2] for g in info]
    has_tokens = np.fromiter((g[1] is not None for g in info), bool, len(info))[at]
    chain_at, chain_row = at[has_tokens], row[has_tokens]  # the pieces with tokens, in order
    keys = zip(map(lasts.__getitem__, chain_at[:-1].tolist()), map(firsts.__getitem__, chain_at[1:].tolist()))
    ids = np.fromiter(map(by_n[2].get, keys, repeat(-1)), np.int64, max(len(chain_at) - 1, 0))
    keep = (ids >= 0) & (chain_row[:-1] == chain_row[1:])  # no bigram crosses from one text into the next
    across = _matrix(chain_row[:-1][keep], ids[keep], (len(texts), n_features), dtype)
    return (counts + across).tocsr()


# --- one pass over a whole chunk -----------------------------------------------------------------
_SEP = "SEPX"  # stands between texts: a piece of its own that no lower-cased text holds (it has capitals)


def _joined(texts: list[str]) -> str:
    """The lower-cased texts in one string, each pair separated by a token of its own."""
    return f" {_SEP} ".join(map(str.lower, texts))


def split(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The whitespace-separated pieces of the lower-cased texts: the distinct pieces (the separator first);
    for each piece in order, its index among the distinct ones and the text it belongs to."""
    texts = list(texts)
    pieces = _joined(texts).split()
    distinct = list(dict.fromkeys([_SEP, *pieces]))
    local = {p: i for i, p in enumerate(distinct)}
    at = np.fromiter(map(local.__getitem__, pieces), np.int64, len(pieces))
    row = np.cumsum(at == 0)
    if texts and row[-1:].sum() != len(texts) - 1:
        raise AssertionError("a text produced the separator token")
    return distinct, at[at != 0], row[at != 0]


def _stacked(ids: list[np.ndarray], n_features: int, dtype) -> sparse.csr_matrix:
    """One row per list of feature ids, counting repeats."""
    sizes = np.fromiter(map(len, ids), np.int64, len(ids))
    return _matrix(np.repeat(np.arange(len(ids)), sizes), np.concatenate(ids) if ids else np.zeros(0, np.int64),
                   (len(ids), n_features), dtype)
