"""Plain-text sources (.txt, .md) and the small text helpers other readers share."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import IngestError
from suggest.slug import slugify

if TYPE_CHECKING:
    from suggest.corpus import Document

_INTERVIEWER = re.compile(r"^[ \t]*(?:\[[\d:.]+\][ \t]*)?(?:\*\*)?interviewer(?:\*\*)?[ \t]*:", re.I | re.M)


def is_interview(text: str) -> bool:
    """True when the text has speaker turns led by an 'Interviewer:' label."""
    return _INTERVIEWER.search(text) is not None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without a BOM) or raise an IngestError that says how to fix the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not UTF-8 text (bad byte at position {exc.start})", path=path,
                          hint="open it in a text editor and save it with the encoding 'UTF-8'") from None


def read_text(path: Path) -> "Document":
    """Read a .txt or .md file; source_type is 'interview' when it has interviewer turns, else 'text'."""
    from suggest.corpus import Document

    text = normalize_newlines(decode_utf8(path.read_bytes(), path))
    interview = is_interview(text)
    metadata: dict = {}
    if interview:
        metadata["speakers"] = speakers(text)
    return Document(document_id=slugify(path.stem), text=text, source_type="interview" if interview else "text",
                    path=str(path), metadata=metadata)


_TURN_LABEL = re.compile(r"^[ \t]*(?:\[[\d:.]+\][ \t]*)?(?:\*\*)?"
                         r"([A-Z][A-Za-z]{0,19}(?: [A-Z][A-Za-z]{0,19})?(?: ?\d{1,3})?)"
                         r"(?:\*\*)?[ \t]*:(?:\*\*)?(?=[ \t]|$)", re.M)
_KNOWN_SPEAKER = re.compile(r"(?:Interviewer|Interviewee|Participant|Respondent|Facilitator|Moderator|"
                            r"INT|IV|I|P|R)(?: ?\d{1,3})?")


def turn_labels(text: str) -> list[re.Match]:
    """Speaker-label matches at line starts: known labels (Interviewer, P, P3...) or any label used twice."""
    matches = list(_TURN_LABEL.finditer(text))
    counts: dict[str, int] = {}
    for m in matches:
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return [m for m in matches if _KNOWN_SPEAKER.fullmatch(m.group(1)) or counts[m.group(1)] > 1]


def speakers(text: str) -> list[str]:
    """The distinct speaker labels of a transcript, in order of first appearance."""
    return list(dict.fromkeys(m.group(1) for m in turn_labels(text)))
