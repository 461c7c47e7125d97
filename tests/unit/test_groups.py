"""Single-choice code groups: declaration (YAML, .qdc, separate YAML), the grouped head, the decision,
the saved model, agreement rows."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from suggest.classify import GroupedClassifier, decide, fit_head, make_classifier, predict_head
from suggest.codebook import Code, Codebook, CodeGroup, load_codebook, read_qdc, write_qdc
from suggest.embed import FakeEmbedder
from suggest.errors import CodebookError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments"))
from single_choice_groups import CODES, CUES, FILLER, constructed_group  # noqa: E402  (the experiment's data)


def codebook_dict(**group) -> dict:
    codes = [{"id": c, "name": f"Stance {c}", "definition": f"The speaker sounds {' '.join(CUES[c])}."}
             for c in CODES] + [{"id": "W", "name": "Work", "definition": "Talk about work."}]
    return {"name": "stance", "codes": codes,
            "groups": [{"id": "stance", "name": "Stance", "kind": "exactly-one", "codes": list(CODES), **group}]}


# --- declaration ----------------------------------------------------------------------------------
def test_yaml_group_round_trip_and_hash(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(codebook_dict()), encoding="utf-8")
    cb = Codebook.from_yaml(path)
    assert cb.groups == (CodeGroup("stance", "Stance", "exactly-one", CODES),)
    assert cb.group_of("S2").id == "stance" and cb.group_of("W") is None
    cb.to_yaml(tmp_path / "again.yaml")
    assert Codebook.from_yaml(tmp_path / "again.yaml").hash == cb.hash
    plain = Codebook.from_dict({k: v for k, v in codebook_dict().items() if k != "groups"})
    assert plain.hash != cb.hash  # a model trained without the group is not this codebook's model


@pytest.mark.parametrize("change, message, field", [
    ({"codes": ["S1", "S9"]}, "code 'S9' of group 'stance' is not in the codebook", "groups[1] (id 'stance').codes"),
    ({"codes": ["S1"]}, "a group needs two or more", "groups[1] (id 'stance').codes"),
    ({"kind": "several"}, "kind 'several' is not a group kind", "groups[1].kind"),
    ({"colour": "red"}, "unknown field", "groups[1]"),
])
def test_bad_group_declarations_name_file_and_field(tmp_path, change, message, field):
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(codebook_dict(**change)), encoding="utf-8")
    with pytest.raises(CodebookError, match=message) as err:
        Codebook.from_yaml(path)
    assert err.value.path == str(path) and err.value.field == field


def test_a_code_in_two_groups_is_refused(tmp_path):
    data = codebook_dict()
    data["groups"].append({"id": "other", "kind": "at-most-one", "codes": ["S3", "W"]})
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CodebookError, match="code 'S3' is in two groups") as err:
        Codebook.from_yaml(path)
    assert err.value.field == "groups[2] (id 'other').codes" and str(path) in str(err.value)


def test_qdc_round_trip_keeps_groups(tmp_path):
    cb = Codebook.from_dict(codebook_dict())
    write_qdc(cb, tmp_path / "cb.qdc")
    text = (tmp_path / "cb.qdc").read_text(encoding="utf-8")
    assert "[exactly one]" in text
    back = read_qdc(tmp_path / "cb.qdc")
    assert back.groups == cb.groups and back.hash == cb.hash


def test_qdc_group_inside_a_domain_and_across_domains(tmp_path):
    data = codebook_dict()
    data["domains"] = ["talk", "work"]
    for c in data["codes"]:
        c["domain"] = "work" if c["id"] == "W" else "talk"
    cb = Codebook.from_dict(data)
    write_qdc(cb, tmp_path / "cb.qdc")
    back = read_qdc(tmp_path / "cb.qdc")
    assert back.groups == cb.groups and back.get("S1").domain == "talk" and back.hash == cb.hash
    data["codes"][2]["domain"] = "work"
    with pytest.raises(CodebookError, match="group 'stance' are in different domains"):
        write_qdc(Codebook.from_dict(data), tmp_path / "mixed.qdc")


def test_qdc_parent_flag_from_another_program(tmp_path):
    """A parent code made in a QDA program, flagged in its description, becomes a group of its codes."""
    ns = "urn:QDA-XML:codebook:1.0"
    codes = "".join(f'<Code guid="g{i}" name="{n}" isCodable="true"><Description>About {n}.</Description></Code>'
                    for i, n in enumerate(["Positive", "Neutral", "Negative"]))
    (tmp_path / "x.qdc").write_text(
        f'<?xml version="1.0"?><CodeBook xmlns="{ns}"><Codes>'
        f'<Code guid="p" name="Sentiment" isCodable="false"><Description>Tone. [At most one]</Description>{codes}</Code>'
        f'<Code guid="w" name="Work" isCodable="true"><Description>Work.</Description></Code></Codes></CodeBook>',
        encoding="utf-8")
    cb = read_qdc(tmp_path / "x.qdc")
    assert cb.groups == (CodeGroup("sentiment", "Sentiment", "at-most-one", ("positive", "neutral", "negative")),)
    assert cb.domains == () and cb.get("positive").domain is None


def test_separate_groups_yaml_for_a_qdc(tmp_path):
    cb = Codebook.from_dict({k: v for k, v in codebook_dict().items() if k != "groups"})
    write_qdc(cb, tmp_path / "cb.qdc")
    (tmp_path / "groups.yaml").write_text(yaml.safe_dump({"groups": [
        {"id": "stance", "kind": "exactly one", "codes": "S1, S2, S3"}]}), encoding="utf-8")
    loaded = load_codebook(tmp_path / "cb.qdc", groups=tmp_path / "groups.yaml")
    assert loaded.groups[0].codes == CODES and loaded.groups[0].kind == "exactly-one"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"groups": [{"id": "g", "kind": "exactly-one",
                                                                    "codes": ["S1", "nope"]}]}), encoding="utf-8")
    with pytest.raises(CodebookError, match="'nope'") as err:
        load_codebook(tmp_path / "cb.qdc", groups=tmp_path / "bad.yaml")
    assert err.value.path == str(tmp_path / "bad.yaml")


# --- the decision ---------------------------------------------------------------------------------
def test_decide_one_choice_per_group_with_prior_correction():
    P = np.array([[0.60, 0.30, 0.10, 0.9], [0.50, 0.10, 0.05, 0.1], [0.20, 0.15, 0.10, 0.2]])
    thr = np.array([0.3, 0.3, 0.3, 0.5])
    exactly = [{"columns": [0, 1, 2], "kind": "exactly-one", "prior": [0.65, 0.2, 0.15], "alpha": 1.0}]
    hits = decide(P, np.array([0, 0, 0, 0.5]), exactly)
    assert hits[:, :3].sum(axis=1).tolist() == [1, 1, 1]              # always exactly one
    assert hits[0, 1] == 1                                             # 0.30 / 0.2 beats 0.60 / 0.65
    assert hits[:, 3].tolist() == [1, 0, 0]                            # independent code: its threshold
    at_most = [{**exactly[0], "kind": "at-most-one", "alpha": 0.0}]
    hits = decide(P, thr, at_most)
    assert hits[:, :3].tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 0]]   # none when the choice is below threshold


# --- the grouped model: the done-when figure ---------------------------------------------------------
def test_grouped_kappa_beats_independent_argmax():
    """On a 65/20/15 group, the default model's grouped decision has a kappa at least 0.05 above the argmax
    of its independent (calibrated) scores, which leans towards the majority code."""
    from sklearn.metrics import cohen_kappa_score

    texts, Y = constructed_group(1200, seed=1)
    enc = FakeEmbedder(dim=64)
    E, D = enc.transform(texts), enc.transform([f"{c}: {' '.join(CUES[c])}" for c in CODES])
    tr, te = slice(0, 600), slice(600, None)
    plain = fit_head(make_classifier("combined", CODES, seed=0), texts[tr], Y[tr], E[tr], D)
    grouped = fit_head(GroupedClassifier(make_classifier("combined", CODES, seed=0), groups=(("exactly-one", CODES),)),
                       texts[tr], Y[tr], E[tr], D)
    truth = Y[te].argmax(axis=1)
    independent = predict_head(plain, texts[te], E[te])["proba"].argmax(axis=1)
    P = predict_head(grouped, texts[te], E[te])["proba"]
    np.testing.assert_allclose(P.sum(axis=1), 1.0)                   # the softmax's probabilities
    hits = decide(P, grouped.thresholds_, grouped.groups_)
    assert (hits.sum(axis=1) == 1).all()
    k_grouped = cohen_kappa_score(truth, hits.argmax(axis=1))
    k_independent = cohen_kappa_score(truth, independent)
    assert k_grouped >= k_independent + 0.05, (k_grouped, k_independent)
    assert grouped.groups_[0]["alpha"] > 0                            # the prior correction was chosen
    assert np.bincount(hits.argmax(axis=1), minlength=3)[1:].sum() > np.bincount(independent, minlength=3)[1:].sum()


def test_at_most_one_group_may_suggest_nothing():
    texts, Y = constructed_group(400, seed=2)
    rng = np.random.default_rng(0)
    Y = Y.copy()
    Y[::4] = 0  # a quarter of the excerpts carry none of the group's codes, and no cue word
    texts = [" ".join(rng.choice(FILLER, 7)) if i % 4 == 0 else t for i, t in enumerate(texts)]
    head = GroupedClassifier(make_classifier("lexical", CODES), groups=(("at-most-one", CODES),), cv=3).fit(texts, Y)
    P = head.predict_proba(texts)
    assert (P.sum(axis=1) < 1).all()                                   # "none" keeps the rest
    hits = head.predict(texts)
    assert hits.sum(axis=1).max() == 1 and (hits.sum(axis=1) == 0).any()
    assert (head.thresholds_ > 0).all()
