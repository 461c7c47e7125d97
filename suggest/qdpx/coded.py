"""A REFI-QDA project's coding as coded data: the long table `train` and `agree` read.

Each coded span is an excerpt (id ``<document>@<start>-<end>``) with one row per (coder, code).
The rest of each source is segmented as usual; those excerpts (those overlapping no coded span)
count as "no code" for each coder who coded something in that source, and so does a span another
coder coded where this coder coded nothing overlapping it. Sources nobody coded give no rows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from suggest.qdpx.read import QdaProject
    from suggest.segment import Segmenter


def selection_id(document_id: str, start: int, end: int) -> str:
    return f"{document_id}@{start}-{end}"


def coded_long(project: "QdaProject", segmenter: "Segmenter | None" = None) -> "pd.DataFrame":
    """The project's coding as a long table (LONG_COLUMNS); see the module docstring."""
    import pandas as pd

    from suggest.corpus import LONG_COLUMNS, validate_long
    from suggest.errors import EmptyBatchError

    doc_of = {project.guid_of[doc.document_id]: doc for doc in project.documents}
    by_doc: dict[str, list] = {}
    for s in project.selections:
        by_doc.setdefault(s.source_guid, []).append(s)
    coded_docs = [doc_of[g] for g in by_doc]
    if not coded_docs:
        raise EmptyBatchError("the project holds no coded text selections", path=project.path,
                              hint="code some text in your QDA software first, or use the project's sources as "
                                   "a new batch: `suggest batch --model MODEL project.qdpx`")
    rows: list[tuple] = []
    rest = _rest_excerpts(coded_docs, {d.document_id: by_doc[project.guid_of[d.document_id]] for d in coded_docs},
                          segmenter)
    for doc in coded_docs:
        sels = by_doc[project.guid_of[doc.document_id]]
        coders = sorted({s.coder for s in sels})
        spans = sorted({(s.start, s.end) for s in sels})
        for start, end in spans:
            eid, text = selection_id(doc.document_id, start, end), doc.text[start:end]
            for coder in coders:
                mine = [s for s in sels if s.coder == coder and s.start < end and start < s.end]
                codes = sorted({s.code for s in mine if (s.start, s.end) == (start, end)})
                if codes:
                    rows.extend((eid, text, c, coder, doc.document_id, doc.source_type) for c in codes)
                elif not mine:
                    rows.append((eid, text, "", coder, doc.document_id, doc.source_type))
        for ex in rest.get(doc.document_id, []):
            if any(ex.start < e and s < ex.end for s, e in spans):
                continue
            rows.extend((ex.excerpt_id, ex.text, "", coder, doc.document_id, doc.source_type) for coder in coders)
    long = pd.DataFrame.from_records(rows, columns=LONG_COLUMNS)
    return validate_long(long, project.codebook, path=project.path)


def _rest_excerpts(documents, selections: dict[str, list], segmenter) -> dict[str, list]:
    """Excerpts of the uncoded text: coded spans are blanked with line breaks (offsets kept), then segmented."""
    import dataclasses

    if segmenter is None:
        from suggest.segment import Segmenter

        segmenter = Segmenter()
    masked = []
    for doc in documents:
        chars = list(doc.text)
        for s in selections[doc.document_id]:
            chars[s.start:s.end] = "\n" * (s.end - s.start)
        masked.append(dataclasses.replace(doc, text="".join(chars)))
    out: dict[str, list] = {}
    for ex in segmenter.segment(masked):
        out.setdefault(ex.document_id, []).append(ex)
    return out


def load_qdpx_coded(path, codebook=None, *, segmenter=None, parents_as_domains: bool = False):
    """(long table, codebook) from a .qdpx: the project's own codebook unless `codebook` is given, in
    which case the project's codes must be in it (matched by id, else by name)."""
    from suggest.qdpx.read import read_qdpx

    project = read_qdpx(path, parents_as_domains=parents_as_domains)
    note = project.skipped_note()
    if note:
        print(note)
    if codebook is not None:
        project = _recode(project, codebook)
    return coded_long(project, segmenter), project.codebook


def _recode(project, codebook):
    """Map the project's code ids onto `codebook` (same id, else same name); DataError on a code it lacks."""
    import dataclasses

    from suggest.errors import UnknownCodeError

    by_name = {c.name.lower(): c.id for c in codebook}
    mapping = {}
    for code in project.codebook:
        target = code.id if code.id in codebook else by_name.get(code.name.lower())
        mapping[code.id] = target
    used = {s.code for s in project.selections}
    missing = sorted(c for c in used if mapping.get(c) is None)
    if missing:
        raise UnknownCodeError(f"the project codes with '{missing[0]}', which is not in codebook "
                               f"'{codebook.name}' (by id or name)", path=project.path, field="CodeRef",
                               hint=f"known codes: {', '.join(codebook.ids[:20])}; leave out --codebook to use "
                                    "the project's own codebook")
    sels = [dataclasses.replace(s, code=mapping[s.code]) for s in project.selections]
    return dataclasses.replace(project, codebook=codebook, selections=sels)
