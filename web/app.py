"""Flask app factory: one Archive and one SearchService per process, on `app.extensions`."""

from __future__ import annotations

from flask import Flask, jsonify, request

from archive.catalog import Filters
from archive.config import Settings
from archive.errors import ArchiveError, UsageError
from archive.search import SearchRequest, SearchService
from archive.store import Archive


def create_app(settings: Settings | None = None, archive: Archive | None = None) -> Flask:
    app = Flask(__name__)
    settings = settings or Settings.from_env()
    archive = archive or Archive(settings)
    app.extensions["archive"] = archive
    app.extensions["search"] = SearchService(archive)

    @app.errorhandler(ArchiveError)
    def archive_error(error: ArchiveError):
        return jsonify(error.to_dict()), error.status

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok", "documents": archive.catalog.counts()["documents"]})

    @app.get("/api/search")
    def api_search():
        args = request.args
        try:
            k = int(args.get("k", 10))
        except ValueError:
            raise UsageError("k must be a whole number") from None
        filters = Filters(
            source=args.get("source"),
            tags=tuple(args.getlist("tag")),
            format=args.get("format"),
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
        )
        response = app.extensions["search"].search(
            SearchRequest(query=args.get("q", ""), mode=args.get("mode", "hybrid"), k=k, filters=filters)
        )
        return jsonify(response)

    return app
