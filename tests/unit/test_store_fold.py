"""The decision fold: append-only rows -> each coder's current decisions."""
from __future__ import annotations

from suggest.store.fold import Decision, by_excerpt, fold, is_reviewed, last_undoable, positive_codes


def rows(*specs) -> list[Decision]:
    """specs: (coder, excerpt, code, action[, undoes]) in time order; ids 1, 2, ..."""
    return [Decision(id=i, coder=s[0], excerpt_id=s[1], code=s[2], action=s[3], undoes=s[4] if len(s) > 4 else None)
            for i, s in enumerate(specs, start=1)]


def test_accept_is_current():
    cur = fold(rows(("amira", "e1", "M1", "accept")))
    assert cur[("amira", "e1", "M1")].action == "accept"
    assert cur[("amira", "e1", "M1")].positive


def test_undo_cancels_the_row_it_names():
    cur = fold(rows(("amira", "e1", "M1", "accept"), ("amira", "e1", "M1", "undo", 1)))
    assert cur == {}


def test_re_decide_supersedes_and_undo_restores_the_earlier_decision():
    r = rows(("amira", "e1", "M1", "accept"), ("amira", "e1", "M1", "reject"))
    assert fold(r)[("amira", "e1", "M1")].action == "reject"
    r += [Decision(id=3, coder="amira", excerpt_id="e1", code="M1", action="undo", undoes=2)]
    assert fold(r)[("amira", "e1", "M1")].action == "accept"


def test_order_is_by_id_not_by_list_position():
    r = rows(("amira", "e1", "M1", "accept"), ("amira", "e1", "M1", "reject"))
    assert fold(list(reversed(r)))[("amira", "e1", "M1")].action == "reject"


def test_coders_are_folded_apart():
    cur = fold(rows(("amira", "e1", "M1", "accept"), ("ben", "e1", "M1", "reject")))
    assert by_excerpt(cur, "amira")["e1"]["M1"].action == "accept"
    assert by_excerpt(cur, "ben")["e1"]["M1"].action == "reject"


def test_add_then_reject_removes_the_code():
    cur = by_excerpt(fold(rows(("amira", "e1", "M4", "add"), ("amira", "e1", "M4", "reject"))), "amira")
    assert positive_codes(cur["e1"]) == []


def test_no_code_accept_is_not_a_positive_code():
    cur = by_excerpt(fold(rows(("amira", "e1", "", "accept"))), "amira")
    assert positive_codes(cur["e1"]) == []
    assert is_reviewed([], cur["e1"])


def test_reviewed_only_when_every_suggestion_is_decided():
    cur = by_excerpt(fold(rows(("amira", "e1", "M1", "accept"), ("amira", "e1", "M7", "add"))), "amira")
    assert not is_reviewed(["M1", "M2"], cur["e1"])
    cur = by_excerpt(fold(rows(("amira", "e1", "M1", "accept"), ("amira", "e1", "M2", "reject"))), "amira")
    assert is_reviewed(["M1", "M2"], cur["e1"])
    assert not is_reviewed([], {})


def test_last_undoable_walks_back_through_the_coders_own_rows():
    r = rows(("amira", "e1", "M1", "accept"), ("ben", "e1", "M1", "accept"), ("amira", "e2", "M2", "reject"))
    assert last_undoable(r, "amira").id == 3
    r.append(Decision(id=4, coder="amira", excerpt_id="e2", code="M2", action="undo", undoes=3))
    assert last_undoable(r, "amira").id == 1
    r.append(Decision(id=5, coder="amira", excerpt_id="e1", code="M1", action="undo", undoes=1))
    assert last_undoable(r, "amira") is None
    assert last_undoable(r, "ben").id == 2
