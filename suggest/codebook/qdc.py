"""REFI-QDA codebook interchange (.qdc): the XML codebook NVivo, ATLAS.ti, MAXQDA and QualCoder share.

Format (REFI-QDA Codebook.xsd, namespace ``urn:QDA-XML:codebook:1.0``): a root ``CodeBook``
(attribute ``origin``) holds ``Codes``, a tree of ``Code`` elements (attributes ``guid``, ``name``,
``isCodable``, optional ``color``; an optional ``Description`` child, then child ``Code``s), and
optional ``Sets``.

Mapping on export (`write_qdc`):
- ``origin`` = ``suggest <package version> | codebook=<name> | version=<version>``.
- With domains, each domain is a parent ``Code`` (name = the domain, ``isCodable="false"``) holding
  its codes, in the codebook's domain order; codes without a domain follow at the top level.
  Without domains the codes are a flat list.
- A code's ``name`` is ``"<id> <name>"`` (for example ``"M1 Collective understanding"``), its
  ``Description`` is the definition, its ``guid`` is ``uuid5(<suggest namespace>, codebook name +
  id)``, so exporting again gives the same guids. Codes share their domain's colour.

Mapping on import (`read_qdc`):
- Every codable ``Code`` in document order becomes a code; a top-level code that is not codable
  and has codable descendants becomes a domain holding them (deeper non-codable codes are folders
  and are skipped); codes outside such a parent have no domain. A flat file gives no domains.
- Ids come back from ``"<id> <name>"`` when the code's guid proves it (it equals the export guid
  of that id; the codebook name comes from ``origin``, else the file name), so codes added or
  re-created in a QDA program are never split wrongly. Other codes get a slug of their name as id
  (``"Lack of time"`` -> ``lack-of-time``, numbered on clashes).
- Name and version come from ``origin`` when present, else the file name and ``"1"``.
- A code without a description is an error unless ``allow_empty_definitions`` (then its name is
  used). Colours and ``Sets`` are read past.

Single-choice groups (`suggest.codebook.groups`): a non-codable parent code whose description
holds ``[exactly one]`` or ``[at most one]`` makes its codable descendants one group (id from
``"<id> <name>"`` when its guid proves it, else a slug of its name). At the top level such a
parent is a group, not a domain; inside a domain its codes keep the domain. On export each group
becomes such a parent, inside its codes' domain (a group's codes must share one domain, and a
round trip keeps the hash when they are listed together).

The round trip YAML -> .qdc -> Codebook keeps ids, names, domains, definitions and so the hash,
provided the codes are grouped by domain in the codebook's domain order (as shipped codebooks are).
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import CodebookError

from suggest.codebook.groups import QDC_FLAG, CodeGroup, normalise_kind
from suggest.codebook.model import Code, Codebook
from suggest.slug import slugify

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NS = "urn:QDA-XML:codebook:1.0"
_GUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:suggest:codebook")
_ORIGIN = re.compile(r"^suggest\b[^|]*\|\s*codebook=(?P<name>.*?)\s*\|\s*version=(?P<version>.*?)\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_PALETTE = ("#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#9C755F")


def code_guid(codebook_name: str, code_id: str) -> str:
    """Deterministic guid of a code: the same codebook name and id always give the same guid."""
    return str(uuid.uuid5(_GUID_NS, f"{codebook_name}\x1f{code_id}"))


def _domain_guid(codebook_name: str, domain: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{codebook_name}\x1fdomain\x1f{domain}"))


def _group_guid(codebook_name: str, group_id: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{codebook_name}\x1fgroup\x1f{group_id}"))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# --- export ------------------------------------------------------------------------------------
def write_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write `codebook` as a REFI-QDA .qdc file, atomically; returns the path."""
    import xml.etree.ElementTree as ET

    from suggest.output import atomic_path, check_output_file

    path = check_output_file(path, (".qdc",))
    # Built with local tag names under a literal default xmlns: ElementTree's default_namespace
    # option refuses the schema's unqualified attributes.
    root = ET.Element("CodeBook", xmlns=NS, origin=origin_of(codebook))
    add_codes(ET.SubElement(root, "Codes"), codebook, path)
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return path


def origin_of(codebook: Codebook) -> str:
    """The ``origin`` attribute that lets `read_qdc` recover the codebook's name, version and ids."""
    from suggest.version import __version__

    return f"suggest {__version__} | codebook={codebook.name} | version={codebook.version}"


def add_codes(codes_el: "Element", codebook: Codebook, path: Path) -> None:
    """Fill a ``Codes`` element (local tag names, any default namespace) with the codebook's code tree."""
    import xml.etree.ElementTree as ET

    domains = list(codebook.domains) or list(dict.fromkeys(c.domain for c in codebook if c.domain))
    _check_group_domains(codebook, path)
    for k, domain in enumerate(domains):
        colour = _PALETTE[k % len(_PALETTE)]
        parent = ET.SubElement(codes_el, "Code", guid=_domain_guid(codebook.name, domain), name=domain,
                               isCodable="false", color=colour)
        _code_elements(parent, codebook, codebook.by_domain(domain), colour)
    _code_elements(codes_el, codebook, [c for c in codebook if c.domain is None or c.domain not in domains], None)


def _check_group_domains(codebook: Codebook, path: Path) -> None:
    for g in codebook.groups:
        domains = {codebook.domain_of(c) for c in g.codes}
        if len(domains) > 1:
            raise CodebookError(f"the codes of group '{g.id}' are in different domains "
                                f"({', '.join(sorted(str(d) for d in domains))}); a .qdc parent code holds one "
                                "domain's codes", path=path, field="groups",
                                hint="put the group's codes in one domain, or export the codebook without the "
                                     "group and keep the groups in a separate YAML file (`--groups`)")


def _code_elements(parent: "Element", codebook: Codebook, codes: list[Code], colour: str | None) -> None:
    """Codes under `parent`; a group's codes go under a non-codable parent flagged with its kind."""
    import xml.etree.ElementTree as ET

    done: set[str] = set()
    for code in codes:
        group = codebook.group_of(code.id)
        if group is None:
            _code_element(parent, codebook.name, code, colour)
        elif group.id not in done:
            done.add(group.id)
            attrs = {"guid": _group_guid(codebook.name, group.id), "name": f"{group.id} {group.name}",
                     "isCodable": "false"}
            if colour:
                attrs["color"] = colour
            el = ET.SubElement(parent, "Code", attrs)
            flag = "[exactly one]" if group.exactly_one else "[at most one]"
            ET.SubElement(el, "Description").text = f"Single-choice group {flag}: an excerpt takes " \
                f"{group.kind.replace('-', ' ')} of these codes."
            for member in (c for c in codes if c.id in group.codes):
                _code_element(el, codebook.name, member, colour)


def _code_element(parent: "Element", cb_name: str, code: "Code", colour: str | None) -> None:
    import xml.etree.ElementTree as ET

    attrs = {"guid": code_guid(cb_name, code.id), "name": f"{code.id} {code.name}", "isCodable": "true"}
    if colour:
        attrs["color"] = colour
    el = ET.SubElement(parent, "Code", attrs)
    ET.SubElement(el, "Description").text = code.definition


# --- import ------------------------------------------------------------------------------------
def read_qdc(path: str | Path, *, allow_empty_definitions: bool = False) -> Codebook:
    """Read a REFI-QDA .qdc codebook; see the module docstring for the mapping."""
    path = Path(path)
    return codebook_from_element(_parse(path), path, allow_empty_definitions=allow_empty_definitions)


def codebook_from_element(root: "Element", path: Path, *, allow_empty_definitions: bool = False) -> Codebook:
    """The codebook of a ``CodeBook`` element in the .qdc namespace; `path` names the file in errors."""
    origin = _ORIGIN.match(root.get("origin") or "")
    name = origin["name"] if origin else path.stem
    version = origin["version"] if origin and origin["version"] else "1"
    codes_el = root.find(_q("Codes"))
    if codes_el is None:
        raise CodebookError("no <Codes> element in the codebook", path=path,
                            hint="export the codebook again from your QDA software")

    found: list[tuple[str, str, str, str | None]] = []  # (guid, label, description, domain)
    marked: list[tuple[str, str, str, int, int]] = []   # group parents: (guid, label, kind, first, end) in found
    domains: list[str] = []
    for top in codes_el.findall(_q("Code")):
        if _codable(top, path):
            _collect(top, None, found, path, marked)
            continue
        label = _label(top, path)
        before = len(found)
        is_group = bool(_group_kind(top))
        _collect(top, None if is_group else label, found, path, marked, include_self=False)
        if is_group:
            continue
        if (len(found) > before or origin) and label not in domains:
            domains.append(label)
    if not found:
        raise CodebookError("no codable codes found", path=path, field="Codes",
                            hint="the codebook needs at least one code with isCodable=\"true\"")

    missing = [label for _, label, desc, _ in found if not desc]
    if missing and not allow_empty_definitions:
        shown = ", ".join(f"'{m}'" for m in missing[:5])
        if len(missing) > 5:
            shown += f" and {len(missing) - 5} more"
        raise CodebookError(f"{len(missing)} code(s) have no description: {shown}", path=path,
                            field="Description",
                            hint="write a definition in each code's description in your QDA software "
                                 "(the model uses it), or pass --allow-empty-definitions "
                                 "(allow_empty_definitions=True) to use the code names instead")

    codes, taken = [], set()
    for guid, label, desc, domain in found:
        code_id, code_name = _split_id(label, guid, name)
        if code_id is None or code_id in taken:
            code_id, code_name = slugify(label, "code", max_len=60, taken=taken), label
        taken.add(code_id)
        codes.append(Code(id=code_id, name=code_name, definition=desc or code_name, domain=domain))
    groups = []
    for guid, label, kind, first, end in marked:
        gid, gname = _split_id(label, guid, name, _group_guid)
        if gid is None or gid in taken:
            gid, gname = slugify(label, "group", max_len=60, taken=taken), label
        taken.add(gid)
        groups.append(CodeGroup(id=gid, name=gname, kind=kind, codes=tuple(c.id for c in codes[first:end])))
    return Codebook(name=name, codes=tuple(codes), version=version, domains=tuple(domains), source=str(path),
                    groups=tuple(groups))


def _parse(path: Path) -> "Element":
    import xml.etree.ElementTree as ET

    if not path.is_file():
        raise CodebookError("file not found", path=path, hint="give the path of a REFI-QDA .qdc codebook")
    from suggest import limits

    limits.check_file_size(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        problem = re.sub(r":\s*line \d+, column \d+$", "", str(exc))
        raise CodebookError(f"not well-formed XML at line {line}, column {column} ({problem})", path=path,
                            hint="the file is damaged or not a .qdc; export the codebook again") from None
    except OSError as exc:
        raise CodebookError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    if root.tag != _q("CodeBook"):
        ns, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        found = f"<{local}>" + (f" in namespace '{ns}'" if ns else " without a namespace")
        hint = ("this is a REFI-QDA project (.qde inside a .qdpx); export only the codebook (.qdc)"
                if local == "Project" else f"a .qdc file has a root <CodeBook> in namespace '{NS}'")
        raise CodebookError(f"not a REFI-QDA codebook: the root element is {found}", path=path, hint=hint)
    return root


def _codable(el: "Element", path: Path) -> bool:
    value = (el.get("isCodable") or "true").strip().lower()
    if value not in ("true", "1", "false", "0"):
        raise CodebookError(f"isCodable is '{value}', not true or false", path=path,
                            field=f"Code '{el.get('name') or el.get('guid')}'")
    return value in ("true", "1")


def _label(el: "Element", path: Path) -> str:
    label = " ".join((el.get("name") or "").split())
    if not label:
        raise CodebookError("a code has no name", path=path, field=f"Code guid '{el.get('guid')}'",
                            hint="give every code a name in your QDA software")
    return label


def _description(el: "Element") -> str:
    desc_el = el.find(_q("Description"))
    return " ".join((desc_el.text or "").split()) if desc_el is not None else ""


def _group_kind(el: "Element") -> str:
    """'exactly-one' / 'at-most-one' for a parent code flagged as a single-choice group, else ''."""
    found = QDC_FLAG.search(_description(el))
    return normalise_kind(found.group(0).strip("[] ")) if found else ""


def _collect(el: "Element", domain: str | None, out: list, path: Path, marked: list,
             include_self: bool = True) -> None:
    """Append every codable code in `el`'s subtree (depth first, document order) to `out`, and each
    flagged non-codable parent to `marked` with the span of `out` its codes fill."""
    first = len(out)
    codable = _codable(el, path)
    if include_self and codable:
        out.append((el.get("guid") or "", _label(el, path), _description(el), domain))
    for child in el.findall(_q("Code")):
        _collect(child, domain, out, path, marked)
    kind = "" if codable else _group_kind(el)
    if kind:
        marked.append((el.get("guid") or "", _label(el, path), kind, first, len(out)))


def _split_id(label: str, guid: str, cb_name: str, make_guid=code_guid) -> tuple[str | None, str]:
    """("M1", "Collective understanding") from "M1 Collective understanding" when the guid proves the id."""
    head, _, rest = label.partition(" ")
    if rest and _ID.match(head) and guid.strip().strip("{}").lower() == make_guid(cb_name, head):
        return head, rest
    return None, label
