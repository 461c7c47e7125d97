"""Emails (.eml, .mbox) -> Documents holding the author's own words.

The body is the text/plain part, else the text/html part as text. Quoted replies,
signatures, "Sent from my phone" lines and confidentiality footers are cut; the greeting
stays. Sender, recipients, ISO date, subject, message id and attachment names go to
`metadata`; attachments are not read.
"""
from __future__ import annotations

import logging
import mailbox
import re
import unicodedata
from email import errors as email_errors
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.boilerplate import is_signoff
from suggest.errors import IngestError
from suggest.ingest.text import normalize_newlines, slugify

if TYPE_CHECKING:
    from suggest.corpus import Document

log = logging.getLogger(__name__)

_TRUNCATED = (email_errors.StartBoundaryNotFoundDefect, email_errors.CloseBoundaryNotFoundDefect,
              email_errors.NoBoundaryInMultipartDefect)
_RESAVE = "export the message again from your mail program (File > Save As, .eml)"


def read_eml(path: Path) -> "Document":
    """Read one .eml file."""
    return _document(path.read_bytes(), path, slugify(path.stem), where=str(path))


def read_mbox(path: Path) -> list["Document"]:
    """Read every message of an .mbox file; ids are '<stem>-msg001', '<stem>-msg002'..."""
    box = mailbox.mbox(str(path), create=False)
    try:
        keys = sorted(box.keys())
        if not keys:
            log.warning("%s: the mailbox holds no messages; skipped", path)
        return [_document(box.get_bytes(k), path, f"{slugify(path.stem)}-msg{i:03d}", where=f"{path} (message {i})")
                for i, k in enumerate(keys, 1)]
    finally:
        box.close()


def _document(raw: bytes, path: Path, doc_id: str, where: str) -> "Document":
    from suggest.corpus import Document

    msg = BytesParser(policy=policy.default).parsebytes(raw)
    text, metadata = parse_email(msg, where)
    if not text:
        log.warning("%s: nothing left after removing quoted replies and signatures", where)
    return Document(document_id=doc_id, text=text, source_type="email", path=str(path), metadata=metadata)


def parse_email(msg: EmailMessage, where: str) -> tuple[str, dict]:
    """(cleaned body text, metadata) of a parsed message; IngestError if it is damaged."""
    if not any(msg.get(h) for h in ("From", "To", "Subject", "Date", "Message-ID")):
        raise IngestError("not an email: it has no From, To, Subject or Date header", path=where, hint=_RESAVE)
    if any(isinstance(d, _TRUNCATED) for part in msg.walk() for d in part.defects):
        raise IngestError("the email is truncated or damaged (a MIME boundary is missing)", path=where,
                          hint=f"the file may have been cut short while copying; {_RESAVE}")
    body = msg.get_body(preferencelist=("plain", "html"))
    payload = body.get_payload(decode=True) if body is not None else None
    if not payload or not payload.strip():
        raise IngestError("the email has headers but no body text (it may be truncated)", path=where, hint=_RESAVE)
    charset = body.get_content_charset()
    try:
        text = payload.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        declared = f"its declared charset '{charset}'" if charset else "UTF-8 (no charset is declared)"
        raise IngestError(f"the email's text cannot be decoded as {declared}", path=where,
                          hint=f"{_RESAVE}, or convert the file to UTF-8 and declare charset=utf-8") from None
    text = normalize_newlines(text)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return clean_body(text, sender=str(msg.get("From", "") or "")), _metadata(msg, body)


def _metadata(msg: EmailMessage, body: EmailMessage) -> dict:
    def header(name: str) -> str:
        try:
            return str(msg.get(name, "") or "").strip()
        except (TypeError, ValueError):
            return ""

    date = msg.get("Date")
    when = getattr(date, "datetime", None)
    meta = {"sender": header("From"), "to": header("To"), "date": when.isoformat() if when else header("Date"),
            "subject": header("Subject"), "message_id": header("Message-ID"),
            "attachments": [p.get_filename() for p in msg.walk() if p is not body and p.get_filename()]}
    if header("Cc"):
        meta["cc"] = header("Cc")
    return meta


class _HTMLText(HTMLParser):
    """HTML -> text: drops scripts, styles and cited blockquotes; blocks become line or paragraph breaks."""

    PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "pre", "hr"}
    LINE = {"div", "li", "tr", "section", "article", "header", "footer", "dt", "dd", "address"}
    SKIP = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: list[str] = []
        self.pre = 0
        self.newlines = -1  # trailing newlines written so far; -1 before any text

    def _emit(self, s: str) -> None:
        if not s or (self.newlines != 0 and not s.strip() and "\n" not in s):
            return  # no leading spaces on a fresh line
        self.out.append(s)
        stripped = s.rstrip("\n")
        self.newlines = len(s) - len(stripped) + (self.newlines if not stripped and self.newlines > 0 else 0)

    def _breaks(self, n: int) -> None:
        if self.newlines >= 0:
            self._emit("\n" * max(0, n - self.newlines))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        quoted = tag == "blockquote" and (a.get("type") == "cite" or "quote" in (a.get("class") or ""))
        if (self.skip and tag == self.skip[-1]) or tag in self.SKIP or quoted:
            self.skip.append(tag)
        elif tag == "br":
            self._emit("\n")
        elif tag in self.PARAGRAPH or tag in self.LINE:
            self._breaks(2 if tag in self.PARAGRAPH else 1)
        self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in self.PARAGRAPH or tag in self.LINE:
            self._breaks(2 if tag in self.PARAGRAPH else 1)
        self.pre -= tag == "pre" and self.pre > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body, entities unescaped, paragraphs separated by blank lines."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.I)
_ON_WROTE = re.compile(r"^\s*On\s.{0,300}\bwrote:\s*$", re.S)
_FROM = re.compile(r"^\s*\*?From:\*?\s+\S", re.I)
_SENT = re.compile(r"^\s*\*?(Sent|Date):\*?\s+\S", re.I)
_SIG_DASH = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(r"^\s*(Sent from my \w+|Get Outlook for \w+|Sent from Outlook)", re.I)
_DISCLAIMER = re.compile(r"(?i)received (?:this|it)(?: (?:e-?mail|message|communication))? in error|"
                         r"(?:intended|meant) (?:solely |only )?for the (?:use of the )?"
                         r"(?:addressee|recipient|individual|person)|reached you by mistake|\bdisclaimer\b|"
                         r"(?:e-?mail|message)\b[^.]{0,60}\b(?:is|are|may be) (?:strictly )?(?:confidential|privileged)|"
                         r"you are receiving this (?:e-?mail |message )?because")
_SEPARATOR = re.compile(r"^[\s_\-=*~]*$")


def clean_body(text: str, sender: str = "") -> str:
    """Cut quoted replies, signatures and footers from a plain-text body; keep the greeting.

    `sender` (a From header) lets a bare sign-off with the sender's name or initial ('Jo', 'R')
    and the name block after it be cut too.
    """
    lines = _cut_reply(text.split("\n"))
    lines = [ln.rstrip() for ln in lines if not ln.lstrip().startswith(">") and not _SENT_FROM.match(ln)]
    lines = _cut_disclaimer(lines)
    lines = _cut_signature(lines, _name_words(sender))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _trim(lines: list[str]) -> list[str]:
    while lines and _SEPARATOR.match(lines[-1]):
        lines = lines[:-1]
    return lines


def _cut_reply(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _ORIGINAL.match(line):
            return _trim(lines[:i])
        if line.lstrip().startswith("On ") and any(_ON_WROTE.match(" ".join(lines[i:i + k])) for k in (1, 2, 3)):
            return _trim(lines[:i])
        if _FROM.match(line) and any(_SENT.match(nxt) for nxt in lines[i + 1:i + 5]):
            return _trim(lines[:i])
    return lines


def _cut_disclaimer(lines: list[str]) -> list[str]:
    start = 0
    for i, line in enumerate(lines + [""]):
        if line.strip():
            continue
        if start > 0 and _DISCLAIMER.search(" ".join(lines[start:i])):
            return _trim(lines[:start])
        start = i + 1
    return lines


def _name_words(sender: str) -> set[str]:
    """Lower-case ASCII words of the sender's display name, plus the first name's initial."""
    name = unicodedata.normalize("NFKD", parseaddr(sender)[0]).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z][a-z'-]*", name)
    return set(words) | ({words[0][0]} if words else set())


def _is_signoff(line: str, names: set[str]) -> bool:
    if is_signoff(line):
        return True
    plain = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z][a-z'-]*", plain)
    return bool(names) and 0 < len(words) <= 3 and all(w in names for w in words) and len(plain.strip()) <= 40


def _cut_signature(lines: list[str], names: set[str] = frozenset()) -> list[str]:
    for i, line in enumerate(lines):
        if _SIG_DASH.match(line):
            lines = _trim(lines[:i])
            break
    lines = _trim(lines)
    for i, line in enumerate(lines):
        if i > 0 and _is_signoff(line, names) and any(ln.strip() for ln in lines[:i]) and _name_block(lines[i + 1:]):
            return _trim(lines[:i])
    return lines


def _name_block(tail: list[str]) -> bool:
    """A short block after a sign-off: at most 6 short lines (name, role, team, phone)."""
    filled = [ln.strip() for ln in tail if ln.strip()]
    return len(filled) <= 6 and all(len(ln) <= 70 and len(ln.split()) <= 10 for ln in filled)
