"""Pseudonymisation: personal identifiers -> consistent placeholders, the key kept apart.

detect.py: spaCy's entity recogniser plus an EntityRuler of patterns find names, email addresses,
phone numbers, NHS numbers, postcodes, dates of birth and street addresses;
key.py: the placeholder <-> original mapping, written to its own .csv;
replace.py: the batch-wide replacement (texts, documents with email headers, table excerpts);
files.py: `suggest pseudonymise INPUT... --out DIR` (pseudonymised copies of files).
"""
from suggest.pseudonymise.detect import KINDS, Found, nhs_number_valid
from suggest.pseudonymise.key import Key
from suggest.pseudonymise.replace import Pseudonymiser, pseudonymise_batch

__all__ = ["KINDS", "Found", "Key", "Pseudonymiser", "nhs_number_valid", "pseudonymise_batch"]
