"""Readers turn files into Documents, one module per format; `registry` picks one by content."""

from archive.readers.base import Reader, RecordError, Source
from archive.readers.registry import read_source, registry

__all__ = ["Reader", "RecordError", "Source", "read_source", "registry"]
