"""Sending a document's original: always an attachment, a known type or opaque bytes, and a
Content-Disposition whose file name (document data: untrusted) is sanitised per RFC 6266 with an
RFC 5987 `filename*` for names that are not plain ASCII."""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import quote

from flask import Response, send_file

from archive.originals import Original

# Only these types are named, everything else is opaque bytes.
DOWNLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".eml": "message/rfc822",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
}
FALLBACK_NAME = "original"
MAX_NAME_CHARACTERS = 200
# CR, LF and every other control character; bidirectional overrides (which can disguise `.exe`).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]+")
_NOT_TOKEN_SAFE = re.compile(r"[^A-Za-z0-9 !#$&+\-.^_`|~()\[\]{},;=@]+")


def clean_name(name: str) -> str:
    """One path component without control characters, not empty, not absurdly long."""
    name = _CONTROL.sub(" ", name.replace("/", "_").replace("\\", "_"))
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME_CHARACTERS:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_CHARACTERS - len(ext[:20])] + ext[:20]
    return name or FALLBACK_NAME


def content_disposition(name: str) -> str:
    """`attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`."""
    name = clean_name(name)
    stem, ext = os.path.splitext(name)
    ascii_name = (_ascii(stem) or FALLBACK_NAME) + ("." + _ascii(ext[1:]) if _ascii(ext[1:]) else "")
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"
    return header


def _ascii(text: str) -> str:
    """Text as characters safe inside a quoted-string (accents dropped, the rest as `_`)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_TOKEN_SAFE.sub("_", plain).strip("_ .")


def send_original(original: Original) -> Response:
    mimetype = DOWNLOAD_TYPES.get(os.path.splitext(original.name)[1].lower(), "application/octet-stream")
    response = send_file(original.stream, mimetype=mimetype, max_age=0, etag=False, conditional=False)
    response.content_length = original.size
    response.headers["Content-Disposition"] = content_disposition(original.name)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
