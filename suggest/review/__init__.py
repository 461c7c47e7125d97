"""The local review page: one coder accepts, rejects and adds codes, excerpt by excerpt.

`create_app(project, coder)` builds the Flask app; `serve(...)` runs it on 127.0.0.1.
"""
from __future__ import annotations


def create_app(project, coder, **kwargs):
    from suggest.review.app import create_app as _create

    return _create(project, coder, **kwargs)


def serve(project, coder, port=None, open_browser=True, lead=False) -> None:
    from suggest.review.app import serve as _serve

    _serve(project, coder, port=port, open_browser=open_browser, lead=lead)
