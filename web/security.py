"""Who may change the archive, and the headers every response carries.

- The API key lives in the data folder (`api_key`, owner-only), created on first start and
  printed once. API write calls always need it (`Authorization: Bearer <key>` or `X-API-Key`).
- Browser forms carry CSRF tokens (flask-wtf). On a loopback address they need nothing else;
  when the server is reachable from other machines (another interface, or a proxy named in
  ARCHIVE_TRUSTED_HOSTS) they need the key too, asked once per browser session.
- On loopback only loopback Host names (and ARCHIVE_TRUSTED_HOSTS) are served, so a web page
  elsewhere cannot reach the archive through DNS rebinding.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import sys
from functools import wraps
from pathlib import Path

from flask import Flask, Response, current_app, request, session

from archive.errors import ArchiveError
from indexer.state import write_atomic
from web.errors import Unauthorized

API_KEY_FILE = "api_key"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_or_create_api_key(data_dir: Path) -> str:
    """The archive's API key; the first call creates it (mode 0600) and prints it once.

    The file is written whole or not at all: a first start on a full disk leaves no file, not an
    empty one. An empty or unreadable key file (left by an older version in that case) cannot
    hold a key anyone uses, so it is replaced by a new key."""
    path = Path(data_dir) / API_KEY_FILE
    found = _read_key(path)
    if found:
        return found
    key = secrets.token_urlsafe(32)
    try:  # a new file is linked in (a concurrent first start keeps one key); an empty one replaced
        write_atomic(path, (key + "\n").encode("ascii"), mode=0o600, exclusive=found is None)
    except FileExistsError:  # another server created it first: use that one
        return load_or_create_api_key(data_dir)
    print(
        f"API key for write calls (created in {path}, shown only this once):\n  {key}",
        file=sys.stderr,
        flush=True,
    )
    return key


def _read_key(path: Path) -> str | None:
    """The key in the file, "" when the file is empty or not text, None when there is none."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return ""


def session_secret(api_key: str) -> bytes:
    """Signs session cookies (CSRF tokens); stable across restarts, useless without the key."""
    return hmac.new(api_key.encode(), b"archive web session", hashlib.sha256).digest()


def _valid_key(candidate: str | None) -> bool:
    expected = current_app.config["API_KEY"]
    return bool(candidate) and hmac.compare_digest(candidate.encode(), expected.encode())


def presented_key() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-API-Key", "").strip() or None


def require_api_key(view):
    """API write calls: refuse (401) unless the request carries the archive's key."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = presented_key()
        if key is None:
            raise Unauthorized(
                "This call changes the archive and needs the API key: send `Authorization: Bearer "
                "<key>` or `X-API-Key: <key>` (the key is in the `api_key` file of the data folder)."
            )
        if not _valid_key(key):
            raise Unauthorized("The API key is not valid for this archive.")
        return view(*args, **kwargs)

    return wrapper


def form_needs_key() -> bool:
    """Whether a browser form that changes the archive must ask for the key."""
    return current_app.config["FORMS_NEED_KEY"] and not session.get("writer")


def check_form_writer(form) -> None:
    """Browser writes: CSRF is checked by flask-wtf; off loopback the key is needed too."""
    if not form_needs_key():
        return
    if _valid_key((form.get("api_key") or "").strip()):
        session["writer"] = True
        return
    raise Unauthorized(
        "This server is reachable from other machines, so changes need the API key: enter it in "
        "the form (it is in the `api_key` file of the data folder)."
    )


def host_name(host_header: str) -> str:
    """`Host` without its port: `[::1]:8080` -> `[::1]`, `Example.org:80` -> `example.org`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.partition(":")[0]


def check_host() -> None:
    allowed = current_app.config["ALLOWED_HOSTS"]
    if allowed and host_name(request.headers.get("Host", "")) not in allowed:
        raise ArchiveError(
            "This server answers to its loopback address only. Behind a proxy, name the host in "
            "ARCHIVE_TRUSTED_HOSTS (uploads and deletes then need the API key).",
            code="untrusted_host",
            status=400,
        )


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask, data_dir: Path) -> None:
    host = app.config["BIND_HOST"]
    if app.config.get("API_KEY") is None:
        app.config["API_KEY"] = load_or_create_api_key(data_dir)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = session_secret(app.config["API_KEY"])
    extra = [host_name(name) for name in app.config["EXTRA_HOSTS"]]
    if app.config.get("FORMS_NEED_KEY") is None:
        app.config["FORMS_NEED_KEY"] = not is_loopback(host) or bool(extra)
    if app.config.get("ALLOWED_HOSTS") is None:
        app.config["ALLOWED_HOSTS"] = {*LOOPBACK_HOSTS, *extra} if is_loopback(host) else set()
    app.before_request(check_host)
    app.after_request(add_security_headers)
