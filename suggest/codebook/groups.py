"""Single-choice code groups: codes of which an excerpt takes exactly one, or at most one.

In YAML, beside `codes:`::

    groups:
      - id: stance
        name: Stance towards the change
        kind: exactly-one        # or at-most-one
        codes: [S1, S2, S3]

In a REFI-QDA .qdc the same group is a parent code whose description holds the flag
``[exactly one]`` or ``[at most one]`` (see `suggest.codebook.qdc`), or a separate YAML file
holding only a `groups:` list (`read_groups_yaml`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from suggest.errors import CodebookError

if TYPE_CHECKING:
    from suggest.codebook.model import Codebook

KINDS = ("exactly-one", "at-most-one")
FIELDS = ("id", "name", "kind", "codes")
QDC_FLAG = re.compile(r"\[\s*(exactly|at[\s-]+most)[\s-]+one\s*\]", re.IGNORECASE)


@dataclass(frozen=True)
class CodeGroup:
    """Codes (ids, two or more) of which an excerpt takes exactly one or at most one (`kind`)."""

    id: str
    name: str
    kind: str
    codes: tuple[str, ...]

    @property
    def exactly_one(self) -> bool:
        return self.kind == "exactly-one"

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "codes": list(self.codes)}


def normalise_kind(value: object) -> str:
    """'exactly one', 'Exactly_One', 'at most one'... -> 'exactly-one' / 'at-most-one' ('' if neither)."""
    text = "-".join(re.split(r"[\s_-]+", str(value or "").strip().lower()))
    return text if text in KINDS else ""


def groups_from_list(entries: object, *, source: str | None = None) -> tuple[CodeGroup, ...]:
    """Parse a YAML `groups:` list (shape only; `validate_groups` checks it against the codes)."""
    if entries in (None, ""):
        return ()
    if not isinstance(entries, list):
        raise CodebookError("'groups' must be a list of groups", path=source, field="groups",
                            hint="write each group as '- id: ..., kind: exactly-one, codes: [A, B]'")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"groups[{i}]"
        if not isinstance(entry, dict):
            raise CodebookError(f"entry {i} of 'groups' is not a mapping", path=source, field=where)
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise CodebookError(f"group {i} has unknown field(s) {sorted(unknown)}", path=source, field=where,
                                hint=f"allowed fields: {', '.join(FIELDS)}")
        codes = entry.get("codes")
        if isinstance(codes, str):
            codes = [c for c in re.split(r"[\s,]+", codes) if c]
        if not isinstance(codes, list):
            raise CodebookError("'codes' must list the group's code ids", path=source, field=f"{where}.codes",
                                hint="for example codes: [S1, S2, S3]")
        kind = normalise_kind(entry.get("kind"))
        if not kind:
            raise CodebookError(f"kind '{entry.get('kind')}' is not a group kind", path=source,
                                field=f"{where}.kind", hint=f"use one of: {', '.join(KINDS)}")
        gid = str(entry.get("id", "") or "").strip()
        out.append(CodeGroup(id=gid, name=str(entry.get("name", "") or gid).strip(), kind=kind,
                             codes=tuple(str(c).strip() for c in codes)))
    return tuple(out)


def validate_groups(cb: "Codebook") -> None:
    """Raise CodebookError naming the file and field of the first bad group declaration."""
    known = set(cb.ids)
    member_of: dict[str, str] = {}
    ids: set[str] = set()
    for i, g in enumerate(cb.groups, start=1):
        where = f"groups[{i}]" + (f" (id '{g.id}')" if g.id else "")
        if not g.id:
            raise CodebookError("empty group id", path=cb.source, field=where, hint="give every group a short id")
        if g.id in ids or g.id in known:
            raise CodebookError(f"group id '{g.id}' is already used by another group or code", path=cb.source,
                                field=where, hint="give the group its own id")
        ids.add(g.id)
        if g.kind not in KINDS:
            raise CodebookError(f"kind '{g.kind}' is not a group kind", path=cb.source, field=f"{where}.kind",
                                hint=f"use one of: {', '.join(KINDS)}")
        if len(set(g.codes)) < 2:
            raise CodebookError(f"group '{g.id}' has {len(set(g.codes))} code(s); a group needs two or more",
                                path=cb.source, field=f"{where}.codes",
                                hint="list two or more codes, or delete the group (a single code is a yes/no code)")
        if len(set(g.codes)) < len(g.codes):
            raise CodebookError(f"group '{g.id}' lists a code twice", path=cb.source, field=f"{where}.codes")
        for code in g.codes:
            if code not in known:
                raise CodebookError(f"code '{code}' of group '{g.id}' is not in the codebook", path=cb.source,
                                    field=f"{where}.codes", hint=f"known codes: {', '.join(cb.ids)}")
            if code in member_of:
                raise CodebookError(f"code '{code}' is in two groups ('{member_of[code]}' and '{g.id}')",
                                    path=cb.source, field=f"{where}.codes",
                                    hint="a code can belong to one group only")
            member_of[code] = g.id


def read_groups_yaml(path: str | Path) -> tuple[CodeGroup, ...]:
    """Groups from a separate YAML file holding a `groups:` list (for codebooks kept as .qdc)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise CodebookError("file not found", path=path, hint="give the path of a YAML file with a 'groups:' list")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CodebookError(f"not valid UTF-8 YAML ({getattr(exc, 'problem', exc)})", path=path) from None
    if not isinstance(data, dict) or "groups" not in data:
        raise CodebookError("no 'groups:' list found", path=path, field="groups",
                            hint="the file holds 'groups:' and a list of groups, as in a YAML codebook")
    return groups_from_list(data["groups"], source=str(path))


def with_groups(cb: "Codebook", groups: Iterable[CodeGroup], *, source: str | Path | None = None) -> "Codebook":
    """`cb` with `groups` added (validated; errors name `source`, the groups file)."""
    from dataclasses import replace

    groups = tuple(groups)
    replace(cb, groups=groups, source=str(source) if source else cb.source)  # validates against the codes
    return replace(cb, groups=cb.groups + groups)
