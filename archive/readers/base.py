"""What every reader shares: the source it reads, what it yields, and bounded reading."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from archive.domain import Document
from archive.errors import ReadError
from archive.files import printable_path

DEFAULT_READ_SECONDS = 120.0


class ReadTimeout(ReadError):
    """A file took longer to read than its budget (a pathological or hostile file)."""


class Clock:
    """Time spent inside one reader: paused while the reader's generator waits for its consumer."""

    def __init__(self, seconds: float, what: str):
        self.seconds = seconds
        self.what = what
        self._spent = 0.0
        self._resumed: float | None = None

    def resume(self) -> None:
        self._resumed = time.monotonic()

    def pause(self) -> None:
        if self._resumed is not None:
            self._spent += time.monotonic() - self._resumed
            self._resumed = None

    def check(self, *_ignored) -> None:
        """Raise ReadTimeout once over budget; its signature lets it serve as a pypdf visitor too."""
        running = time.monotonic() - self._resumed if self._resumed is not None else 0.0
        if self._spent + running > self.seconds:
            raise ReadTimeout(
                f"gave up: reading this {self.what} took over the {self.seconds:g} s limit per file "
                "(a pathological or hostile file?)"
            )


@dataclass
class Source:
    """One input: a file on disk, or bytes inside another file (an e-mail attachment)."""

    name: str  # file name, used for the extension and as a fallback title
    identity: str  # what the document(s) read from it are keyed on
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    max_bytes: int = 100 * 1024 * 1024
    max_seconds: float = DEFAULT_READ_SECONDS  # Settings.read_seconds (ARCHIVE_READ_SECONDS)
    clock: Clock | None = field(default=None, repr=False)
    _data: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, name: str, identity: str, data: bytes, max_bytes: int) -> Source:
        digest = hashlib.sha256(data).hexdigest()
        return cls(
            name=name, identity=identity, size=len(data), sha256=digest, max_bytes=max_bytes, _data=data
        )

    @property
    def shown_path(self) -> str | None:
        return printable_path(self.path) if self.path else None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def head(self, size: int = 4096) -> bytes:
        if self._data is not None:
            return self._data[:size]
        with self.open() as handle:
            return handle.read(size)

    def read_bytes(self) -> bytes:
        """The whole content; refuses sources over the size limit rather than exhausting memory."""
        if self._data is None:
            self.check_size()
            with self.open() as handle:
                self._data = handle.read(self.max_bytes + 1)
            if len(self._data) > self.max_bytes:
                raise ReadError("file grew over the size limit while it was read")
        return self._data

    def check_size(self) -> None:
        if self.size > self.max_bytes:
            raise ReadError(
                f"file is {size_text(self.size)}, over the {size_text(self.max_bytes)} limit "
                "(set ARCHIVE_MAX_FILE_BYTES to raise it)"
            )

    def check_time(self) -> None:
        if self.clock is not None:
            self.clock.check()

    def open(self) -> IO[bytes]:
        if self._data is not None:
            import io

            return io.BytesIO(self._data)
        assert self.path is not None
        return open(self.path, "rb")

    def document(self, text: str, fmt: str, **metadata) -> Document:
        """A Document keyed on this source, with its hash and size. Metadata fields without a
        stated provenance came from the file's own fields ("file"); a title that is only the
        file's name says so ("filename")."""
        stem = Path(self.name).stem
        provenance = metadata.setdefault("provenance", {})
        if not metadata.get("title") or metadata["title"] == stem:
            metadata["title"] = stem
            provenance["title"] = "filename"
        metadata.setdefault("path", self.shown_path)
        mark_file_provenance(metadata, provenance)
        return Document(
            identity=self.identity, text=text, format=fmt, sha256=self.sha256, size=self.size, **metadata
        )


@dataclass(frozen=True)
class RecordError:
    """One bad record inside a file that otherwise reads (e.g. a malformed JSON line)."""

    location: str  # e.g. "line 17"
    reason: str


class Reader(Protocol):
    """A format: recognises its content and turns a source into documents."""

    format: str
    suffixes: tuple[str, ...]

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes are clearly this format, whatever the extension."""

    def read(self, source: Source) -> Iterator[Document | RecordError]:
        """Documents (and per-record errors) in the source; raise ReadError for a bad file."""


def size_text(size: int) -> str:
    """`24 MB`, `1.5 GB`, `300 KB`."""
    for unit, scale in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            value = size / scale
            return (f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")) + f" {unit}"
    return f"{size} bytes"


METADATA_FIELDS = ("title", "author", "date", "source", "url", "tags")
_TAG_SEPARATORS = re.compile(r"[;,]")


def mark_file_provenance(values: dict, provenance: dict[str, str]) -> None:
    """Fields with a value and no stated provenance came from the file's own metadata."""
    for name in METADATA_FIELDS:
        if values.get(name) and name not in provenance:
            provenance[name] = "file"


def split_tags(*values: object) -> list[str]:
    """Tags from strings or lists, split on `;` and `,`, trimmed, and de-duplicated without regard
    to case (the first spelling is kept): `"Azrun; Karsul, azrun"` -> `["Azrun", "Karsul"]`."""
    tags: dict[str, str] = {}
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if item is None:
                continue
            for tag in _TAG_SEPARATORS.split(str(item)):
                tag = " ".join(tag.split())
                if tag:
                    tags.setdefault(tag.casefold(), tag)
    return list(tags.values())


def require_text(text: str, what: str = "file") -> str:
    if not text or not text.strip():
        raise ReadError(f"{what} has no text")
    return text
