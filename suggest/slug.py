"""Readable identifiers from names: file stems, column headers, code labels."""
from __future__ import annotations

import re
import unicodedata


def slugify(name: str, default: str = "document", *, sep: str = "-", max_len: int | None = None,
            taken: set[str] | None = None) -> str:
    """'Email 03 (June)' -> 'email-03-june': ASCII letters and digits joined by `sep`.

    `max_len` caps the length; with `taken`, a clash gets a number ('lack-of-time-2').
    """
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", sep, ascii_name.lower()).strip(sep)
    if max_len:
        base = base[:max_len].strip(sep)
    base = base or default
    if taken is None:
        return base
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}{sep}{n}", n + 1
    return slug
