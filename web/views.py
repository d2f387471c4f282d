"""The HTML pages: search, documents, one document, upload and upload jobs.

Each page parses its query string with the API's schemas, calls `web.service` like the API does
and renders the returned dict; templates never see anything but escaped text.
"""

from __future__ import annotations

import marshmallow as ma
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from archive.errors import ArchiveError, NotFound
from web import downloads, present, schemas, security, service
from web.errors import validation_error, wants_json

views = Blueprint("views", __name__)


def load_args(schema_class: type[ma.Schema], source) -> tuple[dict, ArchiveError | None]:
    """Arguments through the API's schema; on error the schema's defaults and the error."""
    schema = schema_class()
    try:
        return schema.load(MultiDictProxy(source, schema)), None
    except ma.ValidationError as error:
        return schema.load({}), validation_error(error.messages)


# -- search --------------------------------------------------------------------------------------


@views.get("/")
def search_page():
    args, error = load_args(schemas.SearchPageArgs, request.args)
    size = current_app.config["SEARCH_PAGE_SIZE"]
    response = pages = None
    if error is None and args["q"].strip():
        try:
            response = service.search({**args, "k": size, "offset": (args["page"] - 1) * size})
        except ArchiveError as problem:
            error = problem
    if response is not None:
        pages = present.pagination(response["total"], args["page"], size)
    html = render_template(
        "search.html",
        export_url=_export_url(args, size),
        form=request.args,
        args=args,
        response=response,
        pages=pages,
        error=error,
        facets=service.facets(),
        health=service.health() if response is None else None,
    )
    return html, error.status if error else 200


def _export_url(args: dict, size: int):
    """`export_url(fmt, doc=None)` for the template: the API export of this page of results."""
    search = {key: request.args.getlist(key) for key in ("source", "tag", "format", "date_from", "date_to")}
    search = {key: values for key, values in search.items() if any(values)}
    offset = (args["page"] - 1) * size

    def export_url(fmt: str, doc: str | None = None) -> str:
        return url_for(
            "api.export_citations",
            q=args["q"],
            mode=args["mode"],
            k=size,
            offset=offset,
            cite=fmt,
            **search,
            **({"doc": doc} if doc else {}),
        )

    return export_url


# -- documents -----------------------------------------------------------------------------------


@views.get("/documents")
def documents_page():
    args, error = load_args(schemas.ListPageArgs, request.args)
    if error:
        raise error
    size = current_app.config["LIST_PAGE_SIZE"]
    listing = service.list_documents({**args, "limit": size, "offset": (args["page"] - 1) * size})
    pages = present.pagination(listing["total"], args["page"], size, max_offset=None)
    return render_template(
        "documents.html", listing=listing, pages=pages, form=request.args, facets=service.facets()
    )


@views.get("/documents/<doc_id>")
def document_page(doc_id: str):
    document = service.document(doc_id)
    at = present.parse_at(request.args.get("at"), len(document["text"]))
    query = (request.args.get("q") or "").strip()
    terms = current_app.extensions["search"].highlight_terms(query) if query else set()
    layout = present.document_layout(document["text"], document["chunks"], document["pages"], at, terms)
    return render_template(
        "document.html",
        doc=document,
        layout=layout,
        at=at,
        at_given="at" in request.args,
        query=query if terms else "",
    )


@views.get("/documents/<doc_id>/original")
def original_file(doc_id: str):
    original = service.original(doc_id)
    if original is None:
        raise NotFound("The original file of this document is no longer where it was ingested from.")
    return downloads.send_original(original)


@views.post("/documents/<doc_id>/delete")
def delete_document(doc_id: str):
    security.check_form_writer(request.form)
    title = present.title_of(service.document(doc_id))
    result = service.delete(doc_id)
    removed = len(result["deleted"])
    flash(f"Deleted “{title[:120]}”" + (f" and {removed - 1} attachment(s)." if removed > 1 else "."))
    return redirect(url_for("views.documents_page"), 303)


# -- upload --------------------------------------------------------------------------------------


@views.get("/upload")
def upload_page():
    return render_template("upload.html")


@views.post("/upload")
def upload():
    security.check_form_writer(request.form)
    form, error = load_args(schemas.UploadArgs, CombinedMultiDict([request.form, request.files]))
    if error:
        raise error
    job = service.upload(form["files"], form.get("source"), form.get("tags"))
    if wants_json():  # the upload script: it polls the job's JSON
        return jsonify(schemas.Job().dump(service.job_dict(job))), 202
    return redirect(url_for("views.job_page", job_id=job.id), 303)


@views.get("/upload/jobs/<job_id>")
def job_page(job_id: str):
    job = service.job(job_id)
    return render_template("job.html", job=service.job_dict(job), running=not job.finished)
