"""Interview transcripts: speaker-turn labels ('Interviewer:', 'P:', 'P3:', a name used twice).

Shared by the readers (which tag a transcript and list its speakers) and the segmenter (which
cuts at turns); it imports nothing from either, so neither imports the other.
"""
from __future__ import annotations

import re

_INTERVIEWER = re.compile(r"^[ \t]*(?:\[[\d:.]+\][ \t]*)?(?:\*\*)?interviewer(?:\*\*)?[ \t]*:", re.I | re.M)
_TURN_LABEL = re.compile(r"^[ \t]*(?:\[[\d:.]+\][ \t]*)?(?:\*\*)?"
                         r"([A-Z][A-Za-z]{0,19}(?: [A-Z][A-Za-z]{0,19})?(?: ?\d{1,3})?)"
                         r"(?:\*\*)?[ \t]*:(?:\*\*)?(?=[ \t]|$)", re.M)
_KNOWN_SPEAKER = re.compile(r"(?:Interviewer|Interviewee|Participant|Respondent|Facilitator|Moderator|"
                            r"INT|IV|I|P|R)(?: ?\d{1,3})?")


def is_interview(text: str) -> bool:
    """True when the text has speaker turns led by an 'Interviewer:' label."""
    return _INTERVIEWER.search(text) is not None


def turn_labels(text: str) -> list[re.Match]:
    """Speaker-label matches at line starts: known labels (Interviewer, P, P3...) or any label used twice."""
    matches = list(_TURN_LABEL.finditer(text))
    counts: dict[str, int] = {}
    for m in matches:
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return [m for m in matches if _KNOWN_SPEAKER.fullmatch(m.group(1)) or counts[m.group(1)] > 1]


_ASKER = re.compile(r"(?:Interviewer|Facilitator|Moderator|INT|IV|I)(?: ?\d{1,3})?", re.I)


def is_asker(label: str | None) -> bool:
    """True for the interviewer's (or facilitator's) label: their turns are the questions."""
    return bool(label) and _ASKER.fullmatch(label) is not None


def speakers(text: str) -> list[str]:
    """The distinct speaker labels of a transcript, in order of first appearance."""
    return list(dict.fromkeys(m.group(1) for m in turn_labels(text)))
