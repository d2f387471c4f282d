"""The JSON API (flask-smorest): the schemas in `web.schemas` validate the arguments, dump the
responses and generate `/api/openapi.json`. Every route calls `web.service`, like the pages.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify
from flask_smorest import Api, Blueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from archive.citations.export import EXTENSIONS, MEDIA_TYPES, export
from web import schemas, service
from web.security import require_api_key

API_DESCRIPTION = """Search an archive of documents by keyword, phrase or question, read documents
and passages with citations, upload and delete documents.

Write calls (`POST /api/documents`, `DELETE /api/documents/{doc_id}`) need the archive's API key,
created on the server's first start in the data folder's `api_key` file: send
`Authorization: Bearer <key>` or `X-API-Key: <key>`.

Every error is `{"error": {"code": ..., "message": ...}}` with a 4xx status."""

WRITE_SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]
# CSL-JSON: an array of items (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html).
CSL_JSON = {"type": "array", "items": {"type": "object", "required": ["id", "type", "title"]}}


class ArchiveParser(FlaskParser):
    """webargs' parser: invalid arguments are a 400, and `multipart` reads form fields and files
    with one schema (so the OpenAPI document has one multipart request body with both)."""

    DEFAULT_VALIDATION_STATUS = 400
    __location_map__ = dict(multipart="load_multipart", **FlaskParser.__location_map__)

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class ArchiveBlueprint(Blueprint):
    ARGUMENTS_PARSER = ArchiveParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


api = ArchiveBlueprint(
    "api", __name__, url_prefix="/api", description="Search, documents, passages, uploads."
)
health = ArchiveBlueprint("health", __name__, description="Liveness for load balancers and scripts.")


class ArchiveApi(Api):
    """flask-smorest documenting errors in this project's one shape."""

    ERROR_SCHEMA = schemas.ErrorSchema


def errors(*statuses: int):
    """Document the error responses an operation can give (all in the one error shape)."""

    def decorator(view):
        for status in statuses:
            view = api.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorator


def create_api(app) -> ArchiveApi:
    app.config.setdefault("API_TITLE", "Archive")
    app.config.setdefault("API_VERSION", _version())
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": API_DESCRIPTION}})
    smorest = ArchiveApi(app)
    smorest.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    smorest.spec.components.security_scheme(
        "apiKeyHeader", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    smorest.register_blueprint(api)
    smorest.register_blueprint(health)
    return smorest


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("archive")
    except PackageNotFoundError:
        return "0.0.0"


# -- reading -------------------------------------------------------------------------------------


@api.route("/search")
@api.arguments(schemas.SearchArgs, location="query")
@api.response(200, schemas.SearchResponse)
def search(args: dict) -> dict:
    """Search by keyword, phrase or question

    Documents in rank order, each with its best passages, the spans to highlight and a
    citation per passage. `notices` says how an unusual query was read.
    """
    return service.search(args)


@api.route("/export")
@api.arguments(schemas.ExportArgs, location="query")
@api.doc(
    responses={
        200: {
            "description": "The citations, as a file (`Content-Disposition: attachment` for "
            "csl-json, ris and bibtex).",
            "content": {
                media: {"schema": CSL_JSON if fmt == "csl-json" else {"type": "string"}}
                for fmt, media in MEDIA_TYPES.items()
            },
        }
    }
)
def export_citations(args: dict) -> Response:
    """Export the citations of a search: CSL-JSON, RIS, BibTeX, text or Markdown

    Takes the search's arguments (`q`, `mode`, `k`, `offset`, filters) plus `cite` (the format), and `doc`
    to keep only some of the results. CSL-JSON, RIS and BibTeX hold one record per document,
    its quoted passages (quote, page and paragraph, link) in the notes; text and Markdown hold
    one citation per passage.
    """
    fmt = args.pop("cite")
    chosen = set(args.pop("doc", None) or ())
    results = [r for r in service.search(args)["results"] if not chosen or r["document"]["id"] in chosen]
    disposition = "inline" if fmt in ("text", "markdown") else "attachment"
    return Response(
        export(results, fmt),
        content_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="citations.{EXTENSIONS[fmt]}"'},
    )


@api.route("/documents", methods=["GET"])
@api.arguments(schemas.ListArgs, location="query")
@api.response(200, schemas.DocumentList)
def list_documents(args: dict) -> dict:
    """List documents, newest first"""
    return service.list_documents(args)


@api.route("/documents/<doc_id>", methods=["GET"])
@api.response(200, schemas.DocumentDetail)
@errors(404)
def get_document(doc_id: str) -> dict:
    """One document: metadata, full text, passages (chunks), pages, attachments"""
    return service.document(doc_id)


@api.route("/passages/<int:passage_id>")
@api.response(200, schemas.PassageDetail)
@errors(404)
def get_passage(passage_id: int) -> dict:
    """One passage with its document and citation"""
    return service.passage(passage_id)


@api.route("/facets")
@api.response(200, schemas.Facets)
def facets() -> dict:
    """Sources, formats and tags to filter on, with document counts"""
    return service.facets()


@api.route("/stats")
@api.response(200, schemas.Stats)
def stats() -> dict:
    """Counts, model and index sizes"""
    return service.stats()


@api.route("/jobs/<job_id>")
@api.response(200, schemas.Job)
@errors(404)
def job(job_id: str) -> dict:
    """Progress and report of an upload job"""
    return service.job_dict(service.job(job_id))


@health.route("/healthz")
@health.response(200, schemas.Health)
def healthz() -> dict:
    """The server is up; document and chunk counts"""
    return service.health()


# -- writing (API key) ---------------------------------------------------------------------------


@api.route("/documents", methods=["POST"], endpoint="upload")
@require_api_key
@api.arguments(schemas.UploadArgs, location="multipart")
@api.response(200, schemas.UploadReport)
@api.alt_response(202, schema=schemas.Job, success=True, description="Accepted (wait=false): the job")
@api.doc(security=WRITE_SECURITY)
@errors(401, 409, 413, 422)
def upload(form: dict):
    """Upload files and ingest them

    Multipart form: one or more `files`, optional `source` and comma-separated `tags`. Returns
    the ingest report with the documents the files hold. 422 when no file could be read, 409
    while another process is ingesting, 413 over the size limit.
    """
    if not form["wait"]:
        job = service.upload(form["files"], form.get("source"), form.get("tags"))
        return jsonify(schemas.Job().dump(service.job_dict(job))), 202
    return service.upload_and_wait(form["files"], form.get("source"), form.get("tags"))


@api.route("/documents/<doc_id>", methods=["DELETE"], endpoint="delete_document")
@require_api_key
@api.response(200, schemas.Deleted)
@api.doc(security=WRITE_SECURITY)
@errors(401, 404, 409)
def delete_document(doc_id: str) -> dict:
    """Delete a document and its attachments"""
    return service.delete(doc_id)
