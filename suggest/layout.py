"""Layout: a Document -> Blocks, the spans of its text worth coding and the lines around them
that frame it (context, never excerpts).

Context kinds: greeting, name, signoff, title, heading, field (a short form field such as
'Date: 12/03/2019'), marker (a transcriber's note), header (a transcript's preamble). A text
block carries where it sits (`speaker`, `field` or `section` in `meta`) and a `unit`: the
segmenter joins short pieces only within one unit. Paragraphs are text between blank lines.
  interview    a block per paragraph of each speaker turn (unit: the turn); before the first turn,
               paragraphs of mostly 'Label: value' or heading lines are header
  record_form  before the first heading, a 'Label: value' paragraph is a field (the value is the
               block); a heading and the paragraphs under it are one field block (unit: the field);
               headings are the reader's styled ones (`metadata['headings']`) when it found any
  other types  a block per paragraph (unit: the section a heading opens); greetings, names and
               sign-offs at the edges of paragraphs are context
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from suggest.boilerplate import field_label, is_greeting, is_heading, is_marker, is_names, is_signoff
from suggest.transcript import is_asker, is_interview, turn_labels

if TYPE_CHECKING:
    from suggest.corpus import Document

TEXT = "text"
FORM_TYPES = ("record_form",)
_BLANK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_REPLY = re.compile(r"^\s*(?:(?:re|fwd?|aw)\s*:\s*)+", re.I)

Span = tuple[int, int]


@dataclass
class Block:
    """A span of a document: text to cut into excerpts (`kind` 'text') or context of another kind."""

    start: int
    end: int
    kind: str = TEXT
    unit: int = 0
    meta: dict = field(default_factory=dict)
    parts: list[Span] = field(default_factory=list)  # paragraphs of a text block; a form field may hold several

    def __post_init__(self) -> None:
        self.parts = self.parts or [(self.start, self.end)]


def layout(doc: "Document") -> list[Block]:
    """Text and context blocks of a document, in reading order."""
    if doc.source_type == "interview" or is_interview(doc.text):
        return _transcript(doc.text)
    return _document(doc)


def strip(text: str, start: int, end: int) -> Span:
    """Move offsets inward past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _between(text: str, cuts: list[Span], start: int = 0, end: int | None = None) -> list[Span]:
    """Stripped, non-empty spans of text[start:end] between the cut spans."""
    end = len(text) if end is None else end
    spans, pos = [], start
    for cut_start, cut_end in cuts + [(end, end)]:
        if cut_start >= pos:
            spans.append(strip(text, pos, cut_start))
        pos = max(pos, cut_end)
    return [s for s in spans if s[1] > s[0]]


def _paragraphs(text: str) -> list[Span]:
    return _between(text, [m.span() for m in _BLANK.finditer(text)])


def _lines(text: str, span: Span) -> list[Span]:
    cuts = [(m.start(), m.end()) for m in re.finditer("\n", text[span[0]:span[1]])]
    return _between(text, [(span[0] + s, span[0] + e) for s, e in cuts], *span)


def _transcript(text: str) -> list[Block]:
    labels = turn_labels(text)
    first_turn = labels[0].start() if labels else len(text)
    cuts = sorted([(m.start(), m.end(), None) for m in _BLANK.finditer(text)]
                  + [(m.start(), m.end(), m.group(1)) for m in labels], key=lambda c: c[0])
    blocks: list[Block] = []
    start, speaker, turn = 0, None, 0
    question: list[str] = []  # the interviewer's last turn, the context of the answers after it
    for cut_start, cut_end, label in cuts + [(len(text), len(text), None)]:
        s, e = strip(text, start, cut_start) if cut_start >= start else (0, 0)
        if e > s:
            if e <= first_turn and _is_header(text, (s, e)):
                blocks.append(Block(s, e, "header"))
            elif is_marker(text[s:e]):
                blocks.append(Block(s, e, "marker"))
            else:
                meta = {"speaker": speaker} if speaker else {}
                if is_asker(speaker):
                    question.append(" ".join(text[s:e].split()))
                elif question:
                    meta["question"] = _clip(" ".join(question), QUESTION_CHARS)
                blocks.append(Block(s, e, TEXT, turn, meta))
        start = max(start, cut_end)
        if label:
            if is_asker(label) and not is_asker(speaker):
                question = []
            speaker, turn = label, turn + 1
    return blocks


QUESTION_CHARS = 240  # an interviewer's turn as context: enough for the question, not the preamble


def _clip(text: str, n: int) -> str:
    """The last `n` characters of a turn, from a word start: the question usually ends it."""
    if len(text) <= n:
        return text
    cut = text[-n:]
    return "..." + cut[cut.find(" ") + 1:] if " " in cut else cut


def _is_header(text: str, span: Span) -> bool:
    """A paragraph of mostly 'Label: value', heading or marker lines ('Date: 12/05/2021', 'Mode: video call')."""
    lines = [text[slice(*line)] for line in _lines(text, span)]
    return 2 * sum(bool(field_label(ln) or is_heading(ln) or is_marker(ln)) for ln in lines) >= len(lines)


def _title(doc: "Document", line: str) -> bool:
    """The document's title: its metadata title, or for an email the start of its subject."""
    said = line.strip().lower()
    if doc.source_type == "email":
        subject = _REPLY.sub("", str(doc.metadata.get("subject", ""))).lower()
        return is_heading(line) and subject.startswith(said)
    return bool(said) and said == str(doc.metadata.get("title", "")).strip().lower()


def _frame(doc: "Document", lines: list[Span], first: bool, last: bool) -> tuple[list[Block], Span, list[Block]]:
    """Context lines at the start and end of one paragraph, and the span left between them.

    Leading: greetings, markers, the document's title, and (at the start of an email or text) names.
    Trailing: sign-offs with the names after them, markers, and (at the end) names.
    """
    text = doc.text
    letter = doc.source_type not in FORM_TYPES

    def opening(i: int) -> str | None:
        line = text[slice(*lines[i])]
        if is_greeting(line):
            return "greeting"
        if is_marker(line):
            return "marker"
        if first and i == 0 and _title(doc, line):
            return "title"
        return "name" if letter and is_names(line) else None

    head: list[Block] = []
    while len(head) < len(lines) and (kind := opening(len(head))) is not None:
        head.append(Block(*lines[len(head)], kind))
    if head and not (first and letter) and all(b.kind == "name" for b in head):
        head = []  # names open a paragraph only at the start of a letter
    tail: list[Block] = []
    for span in reversed(lines[len(head):]):
        line = text[slice(*span)]
        kind = "signoff" if is_signoff(line) else "marker" if is_marker(line) else \
            "name" if letter and is_names(line) else None
        if kind is None:
            break
        tail.insert(0, Block(*span, kind))
    while tail and tail[0].kind == "name" and not (last or any(b.kind == "signoff" for b in tail)):
        tail.pop(0)  # names without a sign-off close only the last paragraph
    rest = lines[len(head):len(lines) - len(tail)]
    return head, ((rest[0][0], rest[-1][1]) if rest else (0, 0)), tail


def _heading(doc: "Document", line: str) -> bool:
    """A heading: by its style when the reader recorded styled headings besides the title
    (`metadata['headings']`), else by its look."""
    title = str(doc.metadata.get("title", "")).strip()
    styled = [h for h in doc.metadata.get("headings") or [] if h != title]
    return line.strip() in styled if styled else is_heading(line)


def _document(doc: "Document") -> list[Block]:
    text, form = doc.text, doc.source_type in FORM_TYPES
    paragraphs = _paragraphs(text)
    framed = [_frame(doc, _lines(text, p), i == 0, i == len(paragraphs) - 1) for i, p in enumerate(paragraphs)]
    content = [i for i, (_, (s, e), _) in enumerate(framed) if e > s]
    blocks: list[Block] = []
    unit, section, field_name = 0, None, None  # field_name: the form field (a heading) paragraphs sit under
    for i, (head, (s, e), tail) in enumerate(framed):
        blocks.extend(head)
        line = text[s:e]
        if e <= s:
            pass
        elif _heading(doc, line) and (form or i < content[-1]):  # a form's heading may be a bare label
            blocks.append(Block(s, e, "heading"))
            unit, section = unit + 1, line.rstrip(":").strip()
            field_name = section if form else None
        elif field_name is not None:
            field_block = blocks[-1] if blocks and blocks[-1].kind == TEXT and blocks[-1].unit == unit else None
            if field_block is None:
                blocks.append(Block(s, e, TEXT, unit, {"field": field_name}))
            else:
                field_block.end = e
                field_block.parts.append((s, e))
        elif form and (found := field_label(line)) is not None:
            name, offset = found
            value = strip(text, s + offset, e)
            unit += 1
            blocks.append(Block(s, e, "field", unit, {"field": name}) if _is_data(text[slice(*value)])
                          else Block(*value, TEXT, unit, {"field": name}))
        else:
            blocks.append(Block(s, e, TEXT, unit, {"section": section} if section else {}))
        blocks.extend(tail)
    return blocks


def _is_data(value: str) -> bool:
    """A form value that records a fact rather than says something: '12/03/2019', 'Group (Skype)', 'None.'."""
    return len(value.split()) <= 3 or ("\n" not in value and len(value) <= 60 and value[-1] not in ".?!")
