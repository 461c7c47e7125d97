"""The local review web app (Flask): one page, a small JSON API, strict security headers.

Safety: the server binds 127.0.0.1 only; requests must name that host (no DNS rebinding);
with a session secret (`serve` always makes one and prints it in the URL), every request
must carry it, first in the URL and then in a cookie, so another local user cannot read the
page; writes need the page's token in an `X-Suggest-Token` header, a JSON body (no
cross-site form posts) and an Origin (or Referer) of this server; bodies are capped at
MAX_BODY bytes and notes at MAX_NOTE characters; the Content-Security-Policy allows only this origin's own script and styles,
so text from an email can never run, and the page writes all text with `textContent`.
A decision is committed to the database before the response says it was saved.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, abort, jsonify, redirect, render_template, request
from flask.json.provider import DefaultJSONProvider

from suggest.errors import SuggestError
from suggest.review.data import Filters, ReviewData
from suggest.store import Store

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
MAX_BODY = 64 * 1024  # bytes of one request body
MAX_NOTE = 2000  # characters of a decision's note


class EscapingJSON(DefaultJSONProvider):
    """JSON with <, > and & escaped, so no response can be read as HTML; keys keep their order."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(project: str | Path, coder: str, *, allowed_hosts: set[str] | None = None,
               secret: str | None = None, lead: bool = False) -> Flask:
    """The review app for one coder of one project. `allowed_hosts`: Host headers to accept
    (default 127.0.0.1 and localhost on any port; `serve` narrows it to the bound port).
    `secret`: required of every request (`?key=` once, then a cookie). `lead`: the page is the
    adjudication page for lead `coder` (`suggest adjudicate`)."""
    here = Path(__file__).parent
    app = Flask("suggest.review", template_folder=str(here / "templates"), static_folder=str(here / "static"))
    app.json = EscapingJSON(app)
    app.config.update(TOKEN=secrets.token_urlsafe(32), ALLOWED_HOSTS=allowed_hosts, SECRET=secret,
                      MAX_CONTENT_LENGTH=MAX_BODY)
    store = Store.open(project)
    data = ReviewData(store, coder)
    app.extensions["suggest_store"] = store
    if lead:
        from suggest.review.adjudication import add_routes

        add_routes(app, store, coder)

    @app.before_request
    def _guard():
        host = request.host.lower()
        allowed = app.config["ALLOWED_HOSTS"]
        if allowed is not None and host not in allowed:
            abort(403)
        if allowed is None and host.split(":")[0] not in ("127.0.0.1", "localhost"):
            abort(403)
        if app.config["SECRET"] is not None:
            given = request.cookies.get(_cookie_name(), "")
            if not secrets.compare_digest(given, app.config["SECRET"]):
                key = request.args.get("key", "")
                if request.method == "GET" and request.path == "/" and secrets.compare_digest(key, app.config["SECRET"]):
                    resp = redirect("/", code=303)  # the secret leaves the address bar and history
                    resp.set_cookie(_cookie_name(), key, httponly=True, samesite="Strict", path="/")
                    return resp
                return ("Open the address printed in the terminal where `suggest review` runs.\n", 403,
                        {"Content-Type": "text/plain; charset=utf-8"})
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if not request.is_json or not secrets.compare_digest(
                    request.headers.get("X-Suggest-Token", ""), app.config["TOKEN"]):
                abort(403)
            if not _same_origin(request.headers.get("Origin"), request.headers.get("Referer"), request.host):
                abort(403)

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would turn Origin into "null"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(SuggestError)
    def _domain_error(exc: SuggestError):
        return jsonify({"saved": False, "error": str(exc)}), 400

    from sqlalchemy.exc import OperationalError

    @app.errorhandler(OperationalError)
    def _database_gone(exc: OperationalError):  # e.g. the team database's server is down or unreachable
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return jsonify({"saved": False, "error": f"the project database cannot be reached ({message}); nothing was "
                                                 "saved. Check the network or VPN and try again."}), 503

    @app.get("/")
    def page():
        return render_template("adjudicate.html" if lead else "review.html", coder=coder, token=app.config["TOKEN"])

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
        if not isinstance(body, dict):
            raise SuggestError("the request body must be a JSON object", field="body")
        if len(str(body.get("note") or "")) > MAX_NOTE:
            raise SuggestError(f"the note is longer than {MAX_NOTE} characters", field="note",
                               hint="shorten the note")
        eid = str(body.get("excerpt_id", ""))
        hidden = body.get("scores_hidden")
        decision_id = data.decide(eid, str(body.get("code", "")), str(body.get("action", "")),
                                  note=(str(body["note"]) if body.get("note") else None),
                                  scores_hidden=hidden if isinstance(hidden, bool) else None)
        return jsonify({"saved": True, "decision_id": decision_id, "excerpt": data.excerpt(eid),
                        "progress": data.progress()})

    @app.post("/api/memo")
    def memo():
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            raise SuggestError("the request body must be a JSON object", field="body")
        eid = str(body.get("excerpt_id", ""))
        memo_id = data.memo(eid, str(body.get("text") or ""), str(body.get("code") or ""))
        return jsonify({"saved": True, "memo_id": memo_id, "excerpt": data.excerpt(eid)})

    @app.post("/api/undo")
    def undo():
        undone = data.undo()
        out = {"saved": undone is not None, "undone": undone, "progress": data.progress()}
        if undone:
            out["excerpt"] = data.excerpt(undone["excerpt_id"])
        return jsonify(out)

    return app


def _cookie_name() -> str:
    # cookies are shared by every port of 127.0.0.1: one name per server
    return "suggest_key_" + (request.host.rsplit(":", 1)[-1] if ":" in request.host else "80")


def _same_origin(origin: str | None, referer: str | None, host: str) -> bool:
    """True when the request comes from a page of this server (Origin, else Referer, names it)."""
    own = f"http://{host}".lower()
    if origin:
        return origin.lower() == own
    if referer:
        return referer.lower() == own or referer.lower().startswith(own + "/")
    return False


def serve(project: str | Path, coder: str, port: int | None = None, open_browser: bool = True,
          lead: bool = False) -> None:
    """Serve the review page (`lead`: the adjudication page) on 127.0.0.1 until interrupted; prints the
    URL (with the session secret) first."""
    import webbrowser

    from werkzeug.serving import make_server

    app = create_app(project, coder, secret=secrets.token_urlsafe(24), lead=lead)
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
    url = f"http://127.0.0.1:{bound}/?key={app.config['SECRET']}"
    shown = app.extensions["suggest_store"].where
    print(f"{'Adjudicating' if lead else 'Reviewing'} {shown} as {'lead' if lead else 'coder'} '{coder}' at {url}",
          flush=True)
    print("The address holds a secret for this session: do not share it.", flush=True)
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
