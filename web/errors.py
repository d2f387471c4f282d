"""One error handler for everything: a JSON `{"error": {"code", "message"}}` for API clients, the
same code and message on an error page for browsers, and the right status either way.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from archive.errors import ArchiveError, resource_error
from web.forms import FieldTooLarge, TooManyParts


class Unauthorized(ArchiveError):
    code = "unauthorized"
    status = 401


class TooLarge(ArchiveError):
    code = "too_large"
    status = 413


def too_large_message(error: BaseException | None = None) -> str:
    """What was too large: the request, its number of form parts, or one text field."""
    config = current_app.config
    if isinstance(error, TooManyParts):
        return (
            f"The form has more than {config['MAX_FORM_PARTS']:,} parts, the limit for one request; "
            "send fewer files and fields at a time."
        )
    if isinstance(error, FieldTooLarge):
        limit_kb = config["MAX_FORM_MEMORY_SIZE"] // 1000
        return f"A form field other than a file is over the {limit_kb:,} KB limit; send long text as a file."
    limit = config["MAX_CONTENT_LENGTH"]
    return (
        f"The upload is larger than the {limit / 2**20:.0f} MB limit for one request; "
        "upload fewer or smaller files at a time."
    )


def as_archive_error(error: BaseException) -> ArchiveError:
    """Any exception as (status, code, message); never a stack trace for the user."""
    if isinstance(error, ArchiveError):
        return error
    if isinstance(error, CSRFError):
        return ArchiveError(
            "The form expired or did not come from this site; reload the page and try again.",
            code="csrf",
            status=400,
        )
    if isinstance(error, RequestEntityTooLarge):
        return TooLarge(too_large_message(error))
    if isinstance(error, HTTPException):
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:  # webargs validation: the same 400 as the service's own checks
            return validation_error(messages)
        code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
        return ArchiveError(error.description or error.name, code=code, status=error.code or 500)
    problem = resource_error(error, current_app.extensions["archive"].data_dir)
    if problem is not None:  # the machine, not the request: logged, answered 507 or 503
        current_app.logger.error("%s %s: %s (%r)", request.method, request.path, problem.message, error)
        return problem
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return ArchiveError(
        "Something went wrong on the server; the details are in the server log.", code="internal", status=500
    )


_LOCATIONS = frozenset(("query", "json", "form", "files", "multipart", "path", "headers", "_schema"))


def _flatten(messages, path: tuple[str, ...] = ()) -> list[str]:
    """webargs' nested messages as lines: `k: Must be greater than or equal to 1 ...`."""
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            lines += _flatten(value, path if key in _LOCATIONS else (*path, str(key)))
        return lines
    if isinstance(messages, list | tuple):
        return [line for item in messages for line in _flatten(item, path)]
    return [f"{'.'.join(path)}: {messages}" if path else str(messages)]


def validation_error(messages) -> ArchiveError:
    """Invalid arguments (marshmallow/webargs messages) as the one 400 error."""
    return ArchiveError("; ".join(_flatten(messages)), code="bad_request", status=400)


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def handle_error(error: BaseException) -> Response:
    problem = as_archive_error(error)
    if wants_json():
        response = jsonify(problem.to_dict())
    else:
        response = current_app.make_response(
            render_template("error.html", error=problem.to_dict()["error"], status=problem.status)
        )
    response.status_code = problem.status
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # keeps Allow (405), Retry-After, ...
                response.headers[name] = value
    if problem.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="archive"'
    return response


def register(app: Flask) -> None:
    """Install the handler; replaces flask-smorest's own HTTPException handler."""
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(Exception, handle_error)
