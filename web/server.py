"""`archive serve`: the app under waitress, a production WSGI server."""

from __future__ import annotations

import sys

from archive.config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, threads: int = 8) -> None:
    import waitress

    from web.app import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}, reachable from other machines", file=sys.stderr)
    app = create_app(settings)
    print(f"serving {settings.data_dir} on http://{host}:{port}/", file=sys.stderr, flush=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="archive")
