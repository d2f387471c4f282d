"""The commands `web` adds to the `archive` CLI (the entry point group `archive.commands`)."""

from __future__ import annotations

import click

from archive.cli import data_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@data_option
def serve(host, port, threads, settings):
    """Serve the web UI and the JSON API."""
    from web.server import serve as run_server

    run_server(settings, host=host, port=port, threads=threads)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
