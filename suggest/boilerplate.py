"""Lines that frame a text rather than say something: greetings, sign-offs, names, headings,
field labels and transcript markers. Pure functions over one line of text.

The segmenter keeps such lines out of excerpts (they become the excerpts' context); the email
reader uses `SIGNOFF` to find where a signature starts.
"""
from __future__ import annotations

import re

SIGNOFF = re.compile(r"^\s*(?i:(?:kind|best|warm|warmest|many|with kind|with best) regards|regards|"
                     r"(?:many )?thanks(?: again| so much| very much| a lot)?|thank you(?: so much| very much)?|"
                     r"(?:with )?(?:best|kind|warm) wishes|all the best|all best|best|cheers|ta|"
                     r"yours(?: sincerely| faithfully)?|sincerely|take care|speak soon|see you soon)"
                     r"\s*[,.!]?(?:\s+[A-Z][\w.'-]*){0,3}\s*$")
_GREETING = re.compile(r"(?i)\s*(?:good (?:morning|afternoon|evening)|hi|hiya|hello|hey|dear|morning|afternoon|"
                       r"evening|greetings)\b(.*)$")
_GROUP = {"all", "both", "everyone", "everybody", "team", "there", "folks", "colleagues", "you", "sir", "madam"}
_JOINERS = {"and", "&"}
_TOKEN = re.compile(r"\[[^\]\n]*\]|[^\s,;/]+")
_NOTES = re.compile(r"\s*(?:[\[(][^\])\n]{1,60}[\])]\s*)+")  # [END OF RECORDING], (inaudible), [00:12:30]
_END = re.compile(r"(?i)[\W_]*(?:end of (?:the )?(?:recording|transcript|transcription|interview|tape)|"
                  r"(?:recording|interview|transcript) (?:ends|ended|stopped|paused|resumed|starts|started)|"
                  r"\d{1,2}:\d{2}(?::\d{2})?)[\W_]*")
_LABEL = re.compile(r"([^\W\d_][^:\n]{0,39}?)[ \t]*:[ \t]+(?=\S)")
_HEADING_MAX_CHARS, _HEADING_MAX_WORDS = 60, 8


def _name_token(token: str) -> bool:
    """'Gareth', 'Sinéad', "O'Neill", 'J.', '[Mentor 3]'."""
    if token.startswith("[") and token.endswith("]"):
        return True
    word = token.rstrip(",:!")
    if word.endswith(".") and len(word) > 3:  # 'Nil.', 'Done.' are words; 'J.', 'Dr.' may be names
        return False
    return bool(word) and word[0].isupper() and all(ch.isalpha() or ch in ".'’-" for ch in word)


def is_names(line: str) -> bool:
    """A line of one to four names and nothing else: 'Ruth', 'Dan and Megan', '[Mentor 3]'."""
    tokens = _TOKEN.findall(line.strip().rstrip(",!:-–"))
    names = [t for t in tokens if t.lower() not in _JOINERS]
    return (0 < len(names) <= 4 and len(line.strip()) <= 40 and all(_name_token(t) for t in names)
            and tokens[0].lower() not in _JOINERS and tokens[-1].lower() not in _JOINERS)


def is_greeting(line: str) -> bool:
    """'Hi Gareth,', 'Dear all,', 'Hi Ruth, Gareth and Sinéad,', 'Good morning': a salutation and nothing else."""
    m = _GREETING.fullmatch(line)
    if m is None or len(line.strip()) > 80:
        return False
    rest = _TOKEN.findall(m.group(1).strip(" \t,!.:-–"))
    return all(t.lower() in _GROUP or t.lower() in _JOINERS or _name_token(t) for t in rest)


def is_signoff(line: str) -> bool:
    """'Kind regards,', 'Thanks, Hannah', 'Speak soon,': a closing formula, maybe with a name."""
    return SIGNOFF.match(line) is not None


def is_marker(line: str) -> bool:
    """A transcriber's note or timestamp on its own: '[END OF RECORDING]', '(pause)', '00:12:30'."""
    return _NOTES.fullmatch(line) is not None or _END.fullmatch(line.strip()) is not None


def is_heading(line: str) -> bool:
    """A short title-like line: 'Actions agreed', 'Data corner', 'Issues raised:'; no sentence ending."""
    text = line.strip()
    words = text.rstrip(":").split()
    return ("\n" not in text and 0 < len(words) <= _HEADING_MAX_WORDS and len(text) <= _HEADING_MAX_CHARS
            and (text[0].isupper() or text[0].isdigit()) and any(ch.isalpha() for ch in text)
            and text[-1] not in ".?!,;" and not _LABEL.match(text))


def field_label(text: str) -> tuple[str, int] | None:
    """('Session type', offset of the value) for text that opens with 'Session type: ...', else None.

    A label is at most 40 characters and 5 words, starts with a letter and holds no sentence end.
    """
    m = _LABEL.match(text)
    if m is None or len(m.group(1).split()) > 5 or any(ch in m.group(1) for ch in ".?!"):
        return None
    return m.group(1), m.end()
