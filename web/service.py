"""What the pages and the API both call: validated arguments in, the core's service dicts out.

Nothing here ranks, fuses or formats; it picks the archive objects off the app and hands the
arguments to `SearchService` and `archive.operations`. Views and API render the same dicts.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import current_app, url_for
from werkzeug.datastructures import FileStorage

from archive import operations
from archive.catalog import Filters
from archive.errors import ReadError
from archive.originals import Original
from archive.search import SearchRequest, SearchService
from archive.store import Archive
from web import uploads
from web.jobs import Job, JobRunner, Writer

FACETS_TTL_SECONDS = 15.0
DELETE_WAIT_SECONDS = 10.0


def archive() -> Archive:
    return current_app.extensions["archive"]


def _writer() -> Writer:
    return current_app.extensions["writer"]


def _jobs() -> JobRunner:
    return current_app.extensions["jobs"]


def uploads_dir() -> Path:
    return Path(archive().settings.data_dir) / uploads.UPLOADS_FOLDER


def filters(args: dict) -> Filters:
    date_from, date_to = args.get("date_from"), args.get("date_to")
    return Filters(  # an empty value filters nothing
        source=args.get("source") or None,
        tags=tuple(tag for tag in args.get("tag") or () if tag),
        format=args.get("format") or None,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )


# -- reading -------------------------------------------------------------------------------------


def search(args: dict) -> dict:
    service: SearchService = current_app.extensions["search"]
    request = SearchRequest(
        query=args["q"],
        mode=args.get("mode", "hybrid"),
        k=args.get("k", 10),
        offset=args.get("offset", 0),
        filters=filters(args),
        passages=args.get("passages", 3),
        exact=args.get("exact", False),
    )
    return service.search(request)


def list_documents(args: dict) -> dict:
    return operations.list_documents(archive(), args["limit"], args["offset"], filters(args))


def document(doc_id: str) -> dict:
    return operations.describe(archive(), doc_id)


def passage(passage_id: int) -> dict:
    return operations.passage(archive(), passage_id)


def original(doc_id: str) -> Original | None:
    return operations.original_file(archive(), doc_id)


def stats() -> dict:
    archive().refresh()
    return operations.stats(archive())


def health() -> dict:
    return operations.health(archive())


def facets() -> dict:
    """Filter values for the search form; cached briefly (they change only on ingest)."""
    cache = current_app.extensions.setdefault("facets_cache", {})
    if cache.get("until", 0) < time.monotonic():
        cache["value"] = operations.facets(archive())
        cache["until"] = time.monotonic() + FACETS_TTL_SECONDS
    return cache["value"]


def _changed() -> None:
    current_app.extensions.pop("facets_cache", None)


# -- writing -------------------------------------------------------------------------------------


def delete(doc_id: str) -> dict:
    """Delete a document (and its attachments); an uploaded original goes with it."""
    with _writer().open(timeout=DELETE_WAIT_SECONDS) as writable:
        result, released = operations.delete_releasing_files(writable, [doc_id])
    uploads.remove_if_uploaded(released, uploads_dir())
    _changed()
    return result


def edit(doc_id: str, changes: dict, who: str) -> dict:
    """Correct a document's metadata (validated by the core); `who` goes into its history."""
    with _writer().open(timeout=DELETE_WAIT_SECONDS) as writable:
        result = operations.edit(writable, doc_id, changes, who)
    _changed()
    return result


def upload(files: list[FileStorage], source: str | None = None, tags: str | None = None) -> Job:
    """Save the files and queue their ingest; the returned job reports progress and the result."""
    chosen = uploads.chosen_files(files, current_app.config["MAX_UPLOAD_FILES"])
    _writer().check_available()
    job_id = uploads.new_job_id()
    paths = uploads.save_uploads(chosen, uploads_dir(), job_id)
    tag_list = [t.strip() for t in (tags or "").split(",") if t.strip()]
    job = Job(id=job_id, folder=paths[0].parent, paths=paths, source=source or None, tags=tag_list)
    return _jobs().submit(job)


def upload_and_wait(files: list[FileStorage], source: str | None = None, tags: str | None = None) -> dict:
    """The API's synchronous upload: the report, or the error (409 busy, 422 nothing readable)."""
    job = upload(files, source, tags)
    job.wait()
    _changed()
    if job.exception is not None:
        raise job.exception
    report = job.report
    if report["failed"] and len(report["failed"]) == report["files"]:
        reasons = "; ".join(f"{Path(f['path']).name}: {f['reason']}" for f in report["failed"][:10])
        raise ReadError(f"no uploaded file could be read ({reasons})")
    return report


def job(job_id: str) -> Job:
    return _jobs().get(job_id)


def job_dict(job: Job) -> dict:
    return {
        **job.to_dict(),
        "links": {
            "self": url_for("api.job", job_id=job.id),
            "page": url_for("views.job_page", job_id=job.id),
        },
    }
