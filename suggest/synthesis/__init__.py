"""From human coding to programme theory (`suggest synthesise`).

Data flow: units.py (coded excerpts grouped into units) -> configurations.py (CMO configurations,
support and chance-corrected association) -> statements.py (if-then-because workbook) ->
table1.py (Table 1) -> graph.py (programme-theory graph) -> timeline.py (evidence over time) ->
candidates.py (candidate new mechanisms) -> report.py (HTML); run.py ties them together.
"""
from __future__ import annotations

from suggest.synthesis.configurations import Thresholds, find_configurations
from suggest.synthesis.run import Synthesis, synthesise, write
from suggest.synthesis.units import CodedUnits, code_roles, from_long, from_project, from_table

__all__ = ["CodedUnits", "Synthesis", "Thresholds", "code_roles", "find_configurations", "from_long",
           "from_project", "from_table", "synthesise", "write"]
