"""Form parsing that says which limit a request hit.

Werkzeug raises the same bare 413 for a body over MAX_CONTENT_LENGTH, a multipart form of more
than MAX_FORM_PARTS parts and a text field over MAX_FORM_MEMORY_SIZE; a message naming the 64 MB
limit for 1,500 tiny parts was false. The parser here counts the parts it has read, so the error
can name the limit that was hit.
"""

from __future__ import annotations

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser


class TooManyParts(RequestEntityTooLarge):
    pass


class FieldTooLarge(RequestEntityTooLarge):
    pass


class _CountingStream:
    """Counts multipart delimiters in what the parser reads (across read boundaries)."""

    def __init__(self, stream, boundary: bytes):
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._tail = b""
        self.delimiters = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        window = self._tail + data
        self.delimiters += window.count(self._delimiter)
        keep = len(self._delimiter) - 1
        self._tail = window[-keep:] if keep and len(window) >= keep else window
        self.delimiters -= self._tail.count(self._delimiter)  # counted again with the next read
        return data

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class LimitNamingParser(FormDataParser):
    def _parse_multipart(self, stream, mimetype, content_length, options):
        counting = _CountingStream(stream, options.get("boundary", "").encode("ascii", "replace"))
        try:
            return super()._parse_multipart(counting, mimetype, content_length, options)
        except RequestEntityTooLarge:
            # n delimiters open n - 1 parts (the last one closes the form).
            if self.max_form_parts is not None and counting.delimiters - 1 > self.max_form_parts:
                raise TooManyParts() from None
            raise FieldTooLarge() from None


class ArchiveRequest(Request):
    form_data_parser_class = LimitNamingParser
