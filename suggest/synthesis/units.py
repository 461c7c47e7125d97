"""Human coding as the input of synthesis: excerpts, their reference codes, and the units they sit in.

A *unit* is what a CMO configuration is counted over: an excerpt, a document, an email thread
or a participant. Codes are read from a long coded table (`suggest.corpus` long format, with
optional `thread_id`, `participant`, `date`, `batch` columns) or from a project's review
decisions. The reference coding of an excerpt is one coder's (`coder`) or, by default, the
consensus: a code counts when at least half of the coders of that excerpt applied it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from suggest.errors import CodebookError, DataError, EmptyBatchError

if TYPE_CHECKING:
    import pandas as pd

    from suggest.codebook import Codebook

UNITS = {"excerpt": "excerpt_id", "document": "document_id", "thread": "thread_id", "participant": "participant"}
ROLES = ("context", "mechanism", "outcome")
SOURCE_LABELS = {"email": "Email", "record_form": "Mentoring record form", "form": "Form",
                 "interview": "Interview", "transcript": "Interview", "text": "Text", "table": "Table"}
_MONTH = re.compile(r"((?:19|20)\d\d)[-_/.](0[1-9]|1[0-2])")


@dataclass
class CodedUnits:
    """Excerpts with their reference coding, grouped into units.

    `excerpts`: one row per excerpt (excerpt_id, text, document_id, source_type, unit, period,
    suggested); `Y`: (n_excerpts, n_codes) 0/1 reference coding in codebook order; `agreed`:
    (n_excerpts, n_codes) number of coders who applied each code; `roles`: code id -> context /
    mechanism / outcome; `coders`: who contributed.
    """

    codebook: "Codebook"
    excerpts: "pd.DataFrame"
    Y: np.ndarray
    agreed: np.ndarray
    roles: dict[str, str]
    coders: list[str]
    unit: str = "document"

    def unit_matrix(self) -> tuple[list[str], np.ndarray]:
        """(unit ids, (n_units, n_codes) 0/1): a unit holds a code when any of its excerpts does."""
        units = self.excerpts["unit"].to_numpy()
        ids, inverse = np.unique(units, return_inverse=True)
        X = np.zeros((len(ids), self.Y.shape[1]), dtype=np.int8)
        np.maximum.at(X, inverse, self.Y)
        return ids.tolist(), X

    def codes_in(self, role: str) -> list[str]:
        return [c for c in self.codebook.ids if self.roles.get(c) == role]


def code_roles(codebook: "Codebook", domains: str | None = None) -> dict[str, str]:
    """Code id -> 'context' / 'mechanism' / 'outcome', from the codebook's domains or a `--domains` mapping.

    `domains` reads like `context=C*,mechanism=M*,outcome=O*` (id patterns). Raises CodebookError
    when the codebook has no context, mechanism or outcome codes.
    """
    roles: dict[str, str] = {}
    if domains:
        for part in domains.split(","):
            role, _, pattern = part.partition("=")
            role = role.strip().lower()
            if role not in ROLES or not pattern.strip():
                raise CodebookError(f"cannot read '{part.strip()}' in the domain mapping", field="--domains",
                                    hint="write it like context=C*,mechanism=M*,outcome=O* (code id patterns)")
            for code in codebook.ids:
                if fnmatchcase(code, pattern.strip()):
                    roles.setdefault(code, role)
    else:
        for c in codebook:
            dom = (c.domain or "").strip().lower()
            role = next((r for r in ROLES if dom.startswith(r)), None)
            if role:
                roles[c.id] = role
    missing = [r for r in ROLES if r not in roles.values()]
    if missing:
        raise CodebookError(
            f"codebook '{codebook.name}' has no {' and no '.join(missing)} codes, so there are no "
            "context-mechanism-outcome configurations to find", path=codebook.source, field="domain",
            hint="give each code a 'domain:' (context, mechanism or outcome) in the codebook YAML, with "
                 "'domains: [context, mechanism, outcome]' at the top, or map ids on the command line: "
                 "--domains context=C*,mechanism=M*,outcome=O*")
    return roles


def _period(row: dict) -> str:
    """Month (YYYY-MM) from a date column, else the batch, else a YYYY-MM in the document id, else ''."""
    for key in ("date", "decided_month"):
        m = _MONTH.search(str(row.get(key) or ""))
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    if str(row.get("batch") or "").strip():
        return f"batch {str(row['batch']).strip()}"
    m = _MONTH.search(str(row.get("document_id") or ""))
    return f"{m.group(1)}-{m.group(2)}" if m else ""


def from_long(long: "pd.DataFrame", codebook: "Codebook", *, unit: str = "document", coder: str | None = None,
              domains: str | None = None, path: str | Path | None = None) -> CodedUnits:
    """CodedUnits from a validated long table (extra columns: thread_id, participant, date, batch, suggested)."""
    roles = code_roles(codebook, domains)
    if unit not in UNITS:
        raise DataError(f"unknown unit '{unit}'", field="--unit", hint=f"use one of: {', '.join(UNITS)}")
    column = UNITS[unit]
    if long.empty:
        raise EmptyBatchError("no human coding to synthesise", path=path,
                              hint="code or review some excerpts first")
    if column not in long.columns or (long[column].astype(str).str.strip() == "").all():
        raise DataError(f"the data has no '{column}' column (or it is empty), so excerpts cannot be grouped "
                        f"by {unit}", path=path, field=column,
                        hint=f"add a '{column}' column saying which {unit} each excerpt belongs to, or choose "
                             "another --unit (excerpt works with any data)")
    blank = long[column].astype(str).str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise DataError(f"empty {column}", path=path, row=row, field=column,
                        hint=f"fill in the {unit} of every excerpt, or choose another --unit")
    if coder is not None:
        if coder not in set(long["coder"]):
            raise DataError(f"no coding by coder '{coder}'", path=path, field="coder",
                            hint=f"coders present: {', '.join(sorted(set(long['coder'])))}")
        long = long[long["coder"] == coder]
    extra = [c for c in ("date", "batch", "decided_month", "suggested") if c in long.columns]
    first = long.drop_duplicates("excerpt_id")
    excerpts = first[["excerpt_id", "text", "document_id", "source_type"]].reset_index(drop=True)
    excerpts["unit"] = first[column].astype(str).to_numpy()
    excerpts["period"] = [_period(r) for r in first[["document_id", *extra]].to_dict("records")]
    row_of = {e: i for i, e in enumerate(excerpts["excerpt_id"])}
    n_coders = long.groupby("excerpt_id")["coder"].nunique().reindex(excerpts["excerpt_id"]).to_numpy()
    agreed = np.zeros((len(excerpts), len(codebook)), dtype=np.int16)
    applied = long[long["code"] != ""].drop_duplicates(["excerpt_id", "code", "coder"])
    for eid, code in zip(applied["excerpt_id"], applied["code"]):
        agreed[row_of[eid], codebook.index(code)] += 1
    Y = (agreed / n_coders[:, None] >= 0.5).astype(np.int8)
    suggested = long.groupby("excerpt_id")["suggested"].max() if "suggested" in long.columns else None
    excerpts["suggested"] = (suggested.reindex(excerpts["excerpt_id"]).fillna(False).astype(bool).to_numpy()
                             if suggested is not None else False)
    return CodedUnits(codebook, excerpts, Y, agreed, roles, sorted(set(long["coder"])), unit)


def from_table(paths: list[str | Path], codebook: "Codebook", **kwargs) -> CodedUnits:
    """CodedUnits from one or more long coded tables (.csv / .xlsx)."""
    import pandas as pd

    from suggest.corpus import read_table, validate_long

    frames = []
    for path in paths:
        raw = read_table(path)
        long = validate_long(raw, codebook, path=path)
        for col in ("thread_id", "participant", "date", "batch"):
            if col in raw.columns:
                long[col] = raw[col].astype(str).str.strip().to_numpy()
        frames.append(long)
    long = pd.concat(frames, ignore_index=True).fillna("")  # optional columns missing from some files
    return from_long(long, codebook, path=paths[0] if len(paths) == 1 else None, **kwargs)


def from_project(project: str | Path, *, include_suggestions: bool = False, **kwargs) -> tuple[CodedUnits, "Codebook"]:
    """(CodedUnits, the project's codebook) from a project's accepted and added codes.

    With `include_suggestions`, excerpts nobody has reviewed take the model's latest suggestions,
    as coder 'model (unreviewed)', and are marked `suggested`.
    """
    import pandas as pd

    from suggest.store import Store
    from suggest.store.coded import reviewed_rows

    with Store.open(project, read_only=True) as store:
        snap = store.snapshot(text=True)
    rows = list(reviewed_rows(snap))
    if not rows and not include_suggestions:
        raise EmptyBatchError("the project holds no human decisions yet: nobody has finished reviewing an "
                              "excerpt", path=project,
                              hint="review some excerpts first (`suggest review` or `suggest import`), or "
                                   "add --include-suggestions to read the model's unreviewed suggestions")
    long = pd.DataFrame(rows, columns=["excerpt_id", "text", "code", "coder", "document_id", "source_type",
                                       "decided_at"])
    long["suggested"] = False
    batch_of = {ex["id"]: ex["batch_id"] for ex in snap.excerpts}
    if include_suggestions:
        seen = set(long["excerpt_id"])
        extra = [{"excerpt_id": ex["id"], "text": ex["text"], "code": s["code"], "coder": "model (unreviewed)",
                  "document_id": ex["document_id"], "source_type": ex["source_type"], "decided_at": "",
                  "suggested": True}
                 for ex in snap.excerpts if ex["id"] not in seen for s in snap.suggestions.get(ex["id"], [])]
        long = pd.concat([long, pd.DataFrame(extra, columns=list(long.columns))], ignore_index=True)
        if long.empty:
            raise EmptyBatchError("the project holds neither decisions nor suggestions", path=project,
                                  hint="store a batch first: `suggest batch ... --project FILE`")
    long["batch"] = long["excerpt_id"].map(batch_of).astype(str)
    return from_long(long, snap.codebook, path=project, **kwargs), snap.codebook


def source_label(source_type: str) -> str:
    """A reader's name for a source type: 'record_form' -> 'Mentoring record form'."""
    s = str(source_type or "").strip()
    return SOURCE_LABELS.get(s.lower(), s.replace("_", " ").capitalize() or "Source not given")
