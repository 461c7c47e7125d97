"""The key: which placeholder stands for which original identifier.

Placeholders are numbered per kind in order of first appearance (``[Person 1]``, ``[Email 2]``).
The same original always gets the same placeholder; for people, a first or last name alone, or
the name with a title, maps to the full name it belongs to when only one known person has it.
The key is a .csv (placeholder, kind, original: one row per spelling seen) that Excel opens;
it is written readable by its owner only, and read back so a later batch keeps the numbering.
"""
from __future__ import annotations

import re
from pathlib import Path

from suggest.errors import DataError
from suggest.pseudonymise.detect import KINDS

KEY_COLUMNS = ["placeholder", "kind", "original"]


def normalise(kind: str, text: str) -> str:
    """The form two spellings of one identifier share: case and spacing (and for numbers, all but digits) ignored."""
    if kind in ("PHONE", "NHS_NUMBER"):
        digits = re.sub(r"\D", "", text)
        return "0" + digits[2:] if kind == "PHONE" and digits.startswith("44") else digits
    return " ".join(re.sub(r"[^\w@.+\-' ]", " ", text).lower().split())


class Key:
    """Placeholder <-> original identifiers, consistent across everything one `Key` sees."""

    def __init__(self) -> None:
        self._by_norm: dict[tuple[str, str], str] = {}   # (kind, normalised) -> placeholder
        self._count: dict[str, int] = {}
        self.originals: dict[str, list[str]] = {}       # placeholder -> spellings seen
        self.kind_of: dict[str, str] = {}
        self._name_part: dict[str, set[str]] = {}       # lower-case name token -> person placeholders
        self._part_spelling: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.originals)

    def placeholder(self, kind: str, text: str) -> str:
        """The placeholder for `text` of `kind` (a KINDS key), made on first sight."""
        norm = normalise(kind, text)
        found = self._by_norm.get((kind, norm))
        if found is None and kind == "PERSON":
            found = self._person_by_part(norm)
        if found is None:
            self._count[kind] = self._count.get(kind, 0) + 1
            found = f"[{KINDS[kind]} {self._count[kind]}]"
            self.kind_of[found] = kind
            self.originals[found] = []
        self._remember(kind, norm, text, found)
        return found

    def _person_by_part(self, norm: str) -> str | None:
        tokens = norm.split()
        if len(tokens) == 1:
            owners = self._name_part.get(tokens[0], set())
            return next(iter(owners)) if len(owners) == 1 else None
        return None

    def _remember(self, kind: str, norm: str, text: str, placeholder: str) -> None:
        self._by_norm[(kind, norm)] = placeholder
        spelled = " ".join(text.split())
        if spelled not in self.originals[placeholder]:
            self.originals[placeholder].append(spelled)
        if kind == "PERSON" and len(norm.split()) > 1:
            for part, spelled_part in zip(norm.split(), spelled.split()):
                if len(part) > 2:
                    self._name_part.setdefault(part, set()).add(placeholder)
                    self._part_spelling.setdefault(part, spelled_part)

    def add_people(self, names: list[str]) -> None:
        """Register the full names among `names` (in order), so single names met later map onto them."""
        for name in dict.fromkeys(names):
            if len(name.split()) > 1:
                self.placeholder("PERSON", name)

    def known_names(self) -> list[str]:
        """Every spelling of every person, and each part of a full name longer than two letters."""
        out = set()
        for ph, kind in self.kind_of.items():
            if kind == "PERSON":
                out.update(self.originals[ph])
        out.update(self._part_spelling.get(p, p.title()) for p, owners in self._name_part.items() if len(owners) == 1)
        return sorted(out)

    # --- the key file -----------------------------------------------------------------------
    def rows(self) -> list[dict]:
        return [{"placeholder": ph, "kind": KINDS[self.kind_of[ph]], "original": o}
                for ph in self.originals for o in self.originals[ph]]

    def write(self, path: str | Path) -> Path:
        """Write the key as a .csv readable by its owner only (atomically)."""
        import csv
        import os

        from suggest.output import atomic_path, check_output_file

        path = check_output_file(path, (".csv",))
        with atomic_path(path) as tmp:
            os.chmod(tmp, 0o600)
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=KEY_COLUMNS)
                w.writeheader()
                w.writerows(self.rows())
        return path

    @classmethod
    def read(cls, path: str | Path) -> "Key":
        """A key written by `write`, to go on numbering from (DataError if it is not one)."""
        import csv

        key = cls()
        label = {v: k for k, v in KINDS.items()}
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != KEY_COLUMNS:
                raise DataError(f"not a pseudonymisation key (columns {reader.fieldnames})", path=path, row=1,
                                hint=f"a key has the columns {', '.join(KEY_COLUMNS)}; give another --key file")
            for i, row in enumerate(reader, start=2):
                kind = label.get(row["kind"])
                m = re.fullmatch(r"\[(.+) (\d+)\]", row["placeholder"] or "")
                if kind is None or m is None:
                    raise DataError("unknown kind or placeholder", path=path, row=i, field="kind")
                ph = row["placeholder"]
                if ph not in key.kind_of:
                    key.kind_of[ph] = kind
                    key.originals[ph] = []
                    key._count[kind] = max(key._count.get(kind, 0), int(m.group(2)))
                key._remember(kind, normalise(kind, row["original"]), row["original"], ph)
        return key
