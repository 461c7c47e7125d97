"""Assignments: every excerpt assigned, the overlap near its share, coders' loads balanced; the
review page lists a coder's assignment first and counts progress against it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from suggest.errors import StoreError, SuggestError
from suggest.store import Store
from suggest.team.assign import plan_assignment

ROOT_DATA = "training_data/retake/new_batch"


def check_plan(sizes: dict[str, int], coders: list[str], overlap: float, plan) -> None:
    units = [u for us in plan.own.values() for u in us] + plan.shared
    assert sorted(units) == sorted(sizes)  # every unit exactly once
    biggest = max(sizes.values())
    shared = sum(sizes[u] for u in plan.shared)
    assert abs(shared - overlap * sum(sizes.values())) <= biggest
    own = [sum(sizes[u] for u in us) for us in plan.own.values()]
    assert max(own) - min(own) <= biggest


@pytest.mark.parametrize("seed", range(5))
def test_plan_on_random_documents(seed):
    rng = np.random.default_rng(seed)
    sizes = {f"d{i}": int(n) for i, n in enumerate(rng.integers(1, 30, size=int(rng.integers(5, 60))))}
    for overlap in (0.0, 0.2, 0.5):
        coders = ["a", "b", "c", "d"][: 2 + seed % 3]
        check_plan(sizes, coders, overlap, plan_assignment(sizes, coders, overlap, random_state=seed))


def test_plan_refuses_bad_input():
    with pytest.raises(SuggestError, match="between 0 and 1"):
        plan_assignment({"d": 1}, ["a", "b"], 20)
    with pytest.raises(SuggestError, match="named twice"):
        plan_assignment({"d": 1}, ["a", "a"], 0.2)
    with pytest.raises(SuggestError, match="coders' names"):
        plan_assignment({"d": 1}, ["a", ""], 0.2)


@pytest.fixture(scope="module")
def new_batch_project(fake_model, tmp_path_factory):
    """The shipped new batch, cut into paragraphs (no spaCy: fast) and scored by the fake-embedder model."""
    from suggest.ingest import load_excerpts
    from suggest.segment import Segmenter
    from suggest.suggestions import make_suggestions, score_texts

    documents, excerpts = load_excerpts([Path(__file__).resolve().parents[2] / ROOT_DATA], Segmenter(mode="paragraphs"))
    parts = score_texts(fake_model, [e.text for e in excerpts])
    table = make_suggestions(fake_model, excerpts, parts["proba"], parts["embeddings"])
    path = tmp_path_factory.mktemp("assign") / "new.sqlite"
    with Store.open(path, create=True) as store:
        store.add_batch(fake_model, documents, excerpts, parts["proba"], table)
    return path


def test_shipped_new_batch_three_coders_overlap_20_percent(new_batch_project, capsys):
    from suggest.cli import main

    assert main(["assign", "--project", str(new_batch_project), "--coders", "amira,joel,kate", "--overlap", "0.2"]) == 0
    assert "excerpts" in capsys.readouterr().out
    with Store.open(new_batch_project) as store:
        snap = store.snapshot()
        assigned = store.assignment()
    doc_of = {e["id"]: e["document_id"] for e in snap.excerpts}
    sizes: dict[str, int] = {}
    for d in doc_of.values():
        sizes[d] = sizes.get(d, 0) + 1
    assert len(sizes) >= 50 and set(assigned) == set(doc_of)  # every excerpt is assigned
    coders = {"amira", "joel", "kate"}
    shared = {e for e, by in assigned.items() if set(by) == coders}
    assert all(all(by.values()) == (e in shared) for e, by in assigned.items())
    assert all(len(by) == 1 for e, by in assigned.items() if e not in shared)
    by_doc: dict[str, set] = {}
    for e, by in assigned.items():  # whole documents: all excerpts of a document go to the same coders
        by_doc.setdefault(doc_of[e], set()).add(frozenset(by))
    assert all(len(v) == 1 for v in by_doc.values())
    biggest, n = max(sizes.values()), len(doc_of)
    assert abs(len(shared) - 0.2 * n) <= biggest, (len(shared), n, biggest)
    own = {c: sum(1 for e, by in assigned.items() if e not in shared and c in by) for c in coders}
    assert max(own.values()) - min(own.values()) <= biggest, own
    print(f"\n{n} excerpts in {len(sizes)} documents (largest {biggest}); shared {len(shared)} "
          f"({len(shared) / n:.1%}); own {own}")


def test_review_lists_my_assignment_first_with_progress(new_batch_project):
    from suggest.review.data import Filters, ReviewData

    with Store.open(new_batch_project) as store:
        with pytest.raises(StoreError, match="nothing to assign"):
            store.save_assignment([])
        assert "assigned" not in ReviewData(store, "nobody").items(Filters())["progress"]
        data = ReviewData(store, "joel")
        snap = store.snapshot()
        last_two = [e["id"] for e in snap.excerpts[-2:]]
        store.save_assignment([(last_two[0], "joel", True), (last_two[0], "kate", True), (last_two[1], "joel", False)])
        items = data.items(Filters())
        assert [it["id"] for it in items["items"][:2]] == last_two and items["items"][0]["assigned"]
        assert items["progress"]["assigned"] == {"reviewed": 0, "total": 2}
        sugg = snap.suggestions.get(last_two[1], [])
        for s in sugg:
            store.decide("joel", last_two[1], s["code"], "reject")
        if not sugg:
            store.decide("joel", last_two[1], "", "accept")
        assert data.progress()["assigned"] == {"reviewed": 1, "total": 2}
        assert ReviewData(store, "amira").items(Filters())["items"][0]["id"] == snap.excerpts[0]["id"]
