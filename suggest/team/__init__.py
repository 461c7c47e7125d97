"""Coding as a team: who codes what (assign), where coders disagree and what the lead settled
(adjudicate). Pure functions over a project snapshot; the store keeps the rows."""
