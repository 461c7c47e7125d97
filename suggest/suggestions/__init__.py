"""Suggestions: score excerpts with a model, add the evidence behind each score, write .csv/.jsonl/.xlsx."""
from __future__ import annotations

from suggest.suggestions.evidence import BASE_COLUMNS, make_suggestions, score_table
from suggest.suggestions.score import score_texts
from suggest.suggestions.write import SUFFIXES, write_suggestions

__all__ = ["BASE_COLUMNS", "SUFFIXES", "make_suggestions", "score_table", "score_texts", "write_suggestions"]
