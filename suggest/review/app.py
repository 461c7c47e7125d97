"""The local review web app (Flask): one page, a small JSON API, strict security headers.

Safety: the server binds 127.0.0.1 only; requests must name that host (no DNS rebinding);
writes need the page's token in an `X-Suggest-Token` header and a JSON body (no cross-site
form posts); the Content-Security-Policy allows only this origin's own script and styles,
so text from an email can never run, and the page writes all text with `textContent`.
A decision is committed to the database before the response says it was saved.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider

from suggest.errors import SuggestError
from suggest.review.data import Filters, ReviewData
from suggest.store import Store

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class EscapingJSON(DefaultJSONProvider):
    """JSON with <, > and & escaped, so no response can be read as HTML; keys keep their order."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(project: str | Path, coder: str, *, allowed_hosts: set[str] | None = None) -> Flask:
    """The review app for one coder of one project. `allowed_hosts`: Host headers to accept
    (default 127.0.0.1 and localhost on any port; `serve` narrows it to the bound port)."""
    here = Path(__file__).parent
    app = Flask("suggest.review", template_folder=str(here / "templates"), static_folder=str(here / "static"))
    app.json = EscapingJSON(app)
    app.config.update(TOKEN=secrets.token_urlsafe(32), ALLOWED_HOSTS=allowed_hosts)
    store = Store.open(project)
    data = ReviewData(store, coder)
    app.extensions["suggest_store"] = store

    @app.before_request
    def _guard():
        host = request.host.lower()
        allowed = app.config["ALLOWED_HOSTS"]
        if allowed is not None and host not in allowed:
            abort(403)
        if allowed is None and host.split(":")[0] not in ("127.0.0.1", "localhost"):
            abort(403)
        if request.method == "POST":
            if not request.is_json or not secrets.compare_digest(
                    request.headers.get("X-Suggest-Token", ""), app.config["TOKEN"]):
                abort(403)

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(SuggestError)
    def _domain_error(exc: SuggestError):
        return jsonify({"saved": False, "error": str(exc)}), 400

    @app.get("/")
    def page():
        return render_template("review.html", coder=coder, token=app.config["TOKEN"])

    @app.get("/api/meta")
    def meta():
        return jsonify(data.meta())

    @app.get("/api/items")
    def items():
        return jsonify(data.items(Filters.from_args(request.args)))

    @app.get("/api/excerpt/<path:excerpt_id>")
    def excerpt(excerpt_id: str):
        return jsonify(data.excerpt(excerpt_id))

    @app.post("/api/decide")
    def decide():
        body = request.get_json(silent=True) or {}
        eid = str(body.get("excerpt_id", ""))
        decision_id = data.decide(eid, str(body.get("code", "")), str(body.get("action", "")),
                                  note=(str(body["note"]) if body.get("note") else None))
        return jsonify({"saved": True, "decision_id": decision_id, "excerpt": data.excerpt(eid),
                        "progress": data.progress()})

    @app.post("/api/undo")
    def undo():
        undone = data.undo()
        out = {"saved": undone is not None, "undone": undone, "progress": data.progress()}
        if undone:
            out["excerpt"] = data.excerpt(undone["excerpt_id"])
        return jsonify(out)

    return app


def serve(project: str | Path, coder: str, port: int | None = None, open_browser: bool = True) -> None:
    """Serve the review page on 127.0.0.1 until interrupted; prints the URL first."""
    import webbrowser

    from werkzeug.serving import make_server

    app = create_app(project, coder)
    server = None
    for candidate in ([port] if port is not None else [8765, 0]):
        try:
            server = make_server("127.0.0.1", candidate, app, threaded=True)
            break
        except OSError as exc:
            if port is not None:
                raise SuggestError(f"cannot listen on 127.0.0.1 port {port} ({exc.strerror or exc})",
                                   field="--port", hint="choose another port, or --port 0 for any free one") \
                    from None
    bound = server.server_port
    app.config["ALLOWED_HOSTS"] = {f"127.0.0.1:{bound}", f"localhost:{bound}"}
    url = f"http://127.0.0.1:{bound}/"
    print(f"Reviewing {project} as coder '{coder}' at {url}", flush=True)
    print("Every decision is saved as you make it. Press Ctrl+C to stop.", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["suggest_store"].close()
