"""The web UI and JSON API over the archive's service functions."""

from web.app import create_app

__all__ = ["create_app"]
