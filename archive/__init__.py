"""A self-hosted document archive with full-text and semantic search."""

__version__ = "0.1.0"
