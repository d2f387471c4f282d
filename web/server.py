"""`archive serve`: the app under waitress, a production WSGI server."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from archive.config import Settings
from archive.operations import recover_if_idle
from web.security import is_loopback


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, threads: int = 8) -> None:
    import waitress

    from web.app import create_app

    loopback = is_loopback(host)
    if not os.environ.get("ARCHIVE_BASE_URL") and loopback:
        shown = f"[{host}]" if ":" in host else host
        settings = replace(settings, base_url=f"http://{shown}:{port}")  # citation links point here
    if not loopback:
        print(
            f"warning: serving on {host}, reachable from other machines; uploads and deletes need "
            "the API key, also from the browser. Set ARCHIVE_BASE_URL to the address people use, "
            "so that citation links work for them.",
            file=sys.stderr,
        )
    proxied = [
        name.strip() for name in os.environ.get("ARCHIVE_TRUSTED_HOSTS", "").split(",") if name.strip()
    ]
    recover_if_idle(settings)  # a crashed ingest may have left index updates queued
    app = create_app(settings, config={"BIND_HOST": host, "EXTRA_HOSTS": proxied})
    warm_up(app)
    print(f"serving {settings.data_dir} on http://{host}:{port}/", file=sys.stderr, flush=True)
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="archive",
        # Bodies a little over the app's limit still get its clear 413; far bigger ones are
        # refused by waitress before they fill the disk.
        max_request_body_size=4 * app.config["MAX_CONTENT_LENGTH"],
    )


def warm_up(app) -> None:
    """Load the embedding model before the first request, not during it."""
    app.extensions["archive"].warm_up()
