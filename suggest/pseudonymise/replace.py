"""Replacing identifiers with placeholders across a whole batch, consistently.

Two passes over the batch: the first finds identifiers with the pipeline of `detect.py` (and
takes names and addresses from email headers), the second finds every further mention of a name
seen anywhere in the batch with a spaCy PhraseMatcher ("Priya" in one email once "Priya Shah"
signed another). Then each identifier becomes its placeholder from the `Key`. Texts on the keep
list (a trial's or a hospital's name) are never replaced.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from email.utils import getaddresses
from typing import TYPE_CHECKING

from suggest.pseudonymise.detect import MODEL, Found, build_pipeline, found_in
from suggest.pseudonymise.key import Key

if TYPE_CHECKING:
    from suggest.corpus import Document, Excerpt

ADDRESS_FIELDS = ("sender", "to", "cc", "bcc", "reply_to")
KEEP_FIELDS = ("date",)  # metadata left as it is


class Pseudonymiser:
    """Replace personal identifiers in texts, documents (with email headers) and excerpts.

    keep: texts never replaced (case-insensitive; a found span inside one is kept too);
    key: the `Key` to number from (default a new one); model: the spaCy pipeline.
    """

    def __init__(self, keep: Iterable[str] = (), key: Key | None = None, model: str = MODEL,
                 batch_size: int = 32):
        self.keep = tuple(k.strip() for k in keep if k.strip())
        self.key = key if key is not None else Key()
        self.model, self.batch_size = model, batch_size
        self._nlp = None

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = build_pipeline(self.model)
        return self._nlp

    # --- texts ------------------------------------------------------------------------------
    def find(self, texts: Sequence[str], people: Sequence[str] = ()) -> list[list[Found]]:
        """The identifiers of each text (both passes); `people`: names known from elsewhere (headers)."""
        from spacy.matcher import PhraseMatcher

        docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        found = [[f for f in found_in(d) if not self._kept(f.text)] for d in docs]
        seen = [*people, *(f.text for fs in found for f in fs if f.kind == "PERSON")]
        self.key.add_people(seen)
        names = [n for n in {*self.key.known_names(), *seen} if not self._kept(n)]
        if names:
            matcher = PhraseMatcher(self.nlp.vocab)
            matcher.add("PERSON", list(self.nlp.tokenizer.pipe(names)))
            for doc, fs in zip(docs, found):
                extra = [Found(doc[s:e].start_char, doc[s:e].end_char, "PERSON", doc[s:e].text)
                         for _, s, e in matcher(doc)]
                fs[:] = _merge(fs + extra)
        return found

    def _kept(self, text: str) -> bool:
        low = " ".join(text.lower().split())
        return any(low in k.lower() or k.lower() in low for k in self.keep)

    def texts(self, texts: Sequence[str], people: Sequence[str] = ()) -> list[str]:
        """Each text with its identifiers replaced by placeholders."""
        return [self.replace(t, fs) for t, fs in zip(texts, self.find(texts, people))]

    def replace(self, text: str, found: Sequence[Found]) -> str:
        out, pos = [], 0
        for f in sorted(found, key=lambda f: f.start):
            out += [text[pos:f.start], self.key.placeholder(f.kind, f.text)]
            pos = f.end
        return "".join(out) + text[pos:]

    # --- documents and excerpts ---------------------------------------------------------------
    def documents(self, documents: Sequence["Document"]) -> list["Document"]:
        """Copies of `documents` with text and metadata pseudonymised (email headers field by field)."""
        people = [name for d in documents for f in ADDRESS_FIELDS for name, _ in _addresses(d.metadata.get(f))
                  if name]
        texts, slots = [], []  # slots: (document index, metadata key or None for the text, list index)
        for i, d in enumerate(documents):
            texts.append(d.text)
            slots.append((i, None, None))
            for k, v in d.metadata.items():
                if k in ADDRESS_FIELDS or k in KEEP_FIELDS:
                    continue
                for j, item in enumerate(v if isinstance(v, list) else [v]):
                    if isinstance(item, str) and item:
                        texts.append(item)
                        slots.append((i, k, j if isinstance(v, list) else None))
        new_texts = self.texts(texts, people)
        out = [dataclasses.replace(d, metadata=_copy(d.metadata)) for d in documents]
        for (i, k, j), new in zip(slots, new_texts):
            if k is None:
                out[i].text = new
            elif j is None:
                out[i].metadata[k] = new
            else:
                out[i].metadata[k][j] = new
        for d in out:
            for f in ADDRESS_FIELDS:
                if d.metadata.get(f):
                    d.metadata[f] = self.header(d.metadata[f])
        return out

    def header(self, value: str) -> str:
        """'Priya Shah <p.shah@x.example>, b@y.example' -> '[Person 1] <[Email 1]>, [Email 2]'."""
        parts = []
        for name, addr in _addresses(value):
            ph_addr = self.key.placeholder("EMAIL", addr) if addr else ""
            if name and not self._kept(name):
                parts.append(f"{self.key.placeholder('PERSON', name)} <{ph_addr}>" if ph_addr else
                             self.key.placeholder("PERSON", name))
            else:
                parts.append(f"{name} <{ph_addr}>" if name else ph_addr)
        return ", ".join(parts)

    def excerpts(self, excerpts: Sequence["Excerpt"]) -> list["Excerpt"]:
        """Copies of excerpts read from a table (no document behind them), texts pseudonymised."""
        new = self.texts([e.text for e in excerpts])
        return [dataclasses.replace(e, text=t, start=0, end=len(t), metadata=_copy(e.metadata))
                for e, t in zip(excerpts, new)]


def _addresses(value) -> list[tuple[str, str]]:
    if not isinstance(value, str) or not value.strip():
        return []
    return [(" ".join(n.split()), a.strip()) for n, a in getaddresses([value]) if n or a]


def _copy(value):
    import copy

    return copy.deepcopy(value)


def _merge(found: list[Found]) -> list[Found]:
    """Non-overlapping identifiers: where two overlap, the one starting first (then the longer) wins."""
    out: list[Found] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


def pseudonymise_batch(documents: Sequence["Document"], excerpts: Sequence["Excerpt"] = (), *,
                       keep: Iterable[str] = (), key: Key | None = None) -> tuple[list["Document"],
                                                                                    list["Excerpt"], Key]:
    """(pseudonymised documents, pseudonymised table excerpts, key) for one batch.

    Documents must be pseudonymised before they are cut into excerpts (offsets point into the new
    text); `excerpts` are those read from tables, without a document.
    """
    p = Pseudonymiser(keep=keep, key=key)
    docs = p.documents(documents) if documents else []
    exs = p.excerpts(excerpts) if excerpts else []
    return docs, exs, p.key
