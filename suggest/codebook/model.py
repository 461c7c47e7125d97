"""The codebook: codes with id, domain, name and definition; YAML in and out; validation; hash."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from suggest.codebook.groups import CodeGroup, groups_from_list, validate_groups
from suggest.errors import CodebookError, UnknownCodeError

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Code:
    """One code of a codebook. `domain` is None for frameworks without domains."""

    id: str
    name: str
    definition: str
    domain: str | None = None


@dataclass(frozen=True)
class Codebook:
    """An ordered, validated set of codes. Column order everywhere follows `ids`."""

    name: str
    codes: tuple[Code, ...]
    version: str = "1"
    domains: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)
    groups: tuple[CodeGroup, ...] = ()

    def __post_init__(self) -> None:
        _validate(self)
        validate_groups(self)

    # --- lookups -------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._index

    @property
    def _index(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.codes)}

    def index(self, code_id: str) -> int:
        """Column of `code_id` in every (n_items, n_codes) array."""
        try:
            return self._index[code_id]
        except KeyError:
            raise UnknownCodeError(
                f"code '{code_id}' is not in codebook '{self.name}' (version {self.version})",
                hint=f"use one of: {', '.join(self.ids)}",
            ) from None

    def get(self, code_id: str) -> Code:
        return self.codes[self.index(code_id)]

    def domain_of(self, code_id: str) -> str | None:
        return self.get(code_id).domain

    def by_domain(self, domain: str) -> list[Code]:
        return [c for c in self.codes if c.domain == domain]

    def group_of(self, code_id: str) -> CodeGroup | None:
        """The single-choice group holding `code_id`, or None for an independent yes/no code."""
        return next((g for g in self.groups if code_id in g.codes), None)

    def check_codes(self, codes: Iterable[str], *, path: str | Path | None = None,
                    field_name: str = "code", rows: Iterable[int] | None = None) -> None:
        """Raise UnknownCodeError naming the first row whose code is not in the codebook."""
        known = self._index
        rows = list(rows) if rows is not None else None
        for i, code in enumerate(codes):
            if code not in known:
                raise UnknownCodeError(
                    f"code '{code}' is not in codebook '{self.name}' (version {self.version})",
                    path=path, row=rows[i] if rows is not None else None, field=field_name,
                    hint=f"correct the code or add it to the codebook; known codes: {', '.join(self.ids)}",
                )

    # --- identity ------------------------------------------------------------
    @property
    def hash(self) -> str:
        """Stable hash of what a model depends on: version, ids, domains, names, definitions, groups."""
        payload = {
            "version": str(self.version),
            "codes": [[c.id, c.domain, c.name, " ".join(c.definition.split())] for c in self.codes],
        }
        if self.groups:  # codebooks without groups keep the hash they had before groups existed
            payload["groups"] = [[g.id, g.kind, list(g.codes)] for g in self.groups]
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    # --- I/O -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict, *, source: str | None = None) -> "Codebook":
        if not isinstance(data, dict):
            raise CodebookError("the file must hold a mapping with 'name' and 'codes'", path=source)
        entries = data.get("codes")
        if not isinstance(entries, list) or not entries:
            raise CodebookError("no codes found", path=source, field="codes",
                                hint="add a 'codes:' list whose entries have id, name and definition")
        codes = []
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise CodebookError(f"entry {i} of 'codes' is not a mapping", path=source, field=f"codes[{i}]")
            unknown = set(entry) - {"id", "name", "definition", "domain"}
            if unknown:
                raise CodebookError(f"entry {i} has unknown field(s) {sorted(unknown)}", path=source,
                                    field=f"codes[{i}]", hint="allowed fields: id, domain, name, definition")
            codes.append(Code(
                id=str(entry.get("id", "") or "").strip(),
                name=str(entry.get("name", "") or "").strip(),
                definition=" ".join(str(entry.get("definition", "") or "").split()),
                domain=(str(entry["domain"]).strip() if entry.get("domain") not in (None, "") else None),
            ))
        domains = data.get("domains") or ()
        if isinstance(domains, str):
            domains = [domains]
        return cls(name=str(data.get("name") or (Path(source).stem if source else "codebook")),
                   codes=tuple(codes), version=str(data.get("version", "1")),
                   domains=tuple(str(d) for d in domains), source=source,
                   groups=groups_from_list(data.get("groups"), source=source))

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Codebook":
        import yaml

        path = Path(path)
        if not path.is_file():
            raise CodebookError("file not found", path=path, hint="give the path of a codebook .yaml file")
        from suggest import limits

        limits.check_file_size(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise CodebookError("not UTF-8 text", path=path, hint="save the codebook as UTF-8") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise CodebookError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path=path,
                                row=(mark.line + 1) if mark else None,
                                hint="check indentation and colons on that line") from None
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict:
        out: dict = {"name": self.name, "version": self.version}
        if self.domains:
            out["domains"] = list(self.domains)
        out["codes"] = [{k: v for k, v in asdict(c).items() if v is not None} for c in self.codes]
        if self.groups:
            out["groups"] = [g.to_dict() for g in self.groups]
        return out

    def to_yaml(self, path: str | Path) -> None:
        import yaml

        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=88),
                              encoding="utf-8")


def _validate(cb: Codebook) -> None:
    src = cb.source
    seen: dict[str, int] = {}
    for i, code in enumerate(cb.codes, start=1):
        where = f"codes[{i}]" + (f" (id '{code.id}')" if code.id else "")
        if not code.id:
            raise CodebookError("empty id", path=src, field=where, hint="give every code a short unique id such as M1")
        if not _ID.match(code.id):
            raise CodebookError(f"id '{code.id}' has spaces or symbols", path=src, field=where,
                                hint="use letters, digits, '_', '-' or '.' only")
        if code.id in seen:
            raise CodebookError(f"duplicate id '{code.id}' (also entry {seen[code.id]})", path=src, field=where,
                                hint="every code needs its own id")
        seen[code.id] = i
        if not code.name:
            raise CodebookError("empty name", path=src, field=where, hint="give the code a short name")
        if not code.definition:
            raise CodebookError("empty definition", path=src, field=where,
                                hint="write a one- or two-sentence definition: the model uses it as a prior")
        if cb.domains and code.domain is not None and code.domain not in cb.domains:
            raise CodebookError(f"unknown domain '{code.domain}'", path=src, field=where,
                                hint=f"use one of the declared domains: {', '.join(cb.domains)}")
