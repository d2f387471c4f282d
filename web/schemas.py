"""Marshmallow schemas: what the API accepts and returns. The OpenAPI document is generated from
these, the HTML views parse their query strings with the same argument schemas, and responses
are dumped through them, so the documented shape is the served shape.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from archive.citations.export import FORMATS
from archive.search import MAX_K, MAX_OFFSET, MAX_QUERY_LENGTH, MODES

MAX_FILTER_LENGTH = 200
MAX_TAGS = 10
MAX_LIST_LIMIT = 200
MAX_LIST_OFFSET = 1_000_000_000
# "Has a character that is not white space", spelled out so that Python (which also counts
# \x1c-\x1f and \x85 as space) and ECMAScript (which also counts \ufeff) read it alike.
NOT_ONLY_SPACE = r"[^\s\x1c-\x1f\x85\ufeff]"


def _nullable_string(**kwargs) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


def _nullable_integer(**kwargs) -> fields.Integer:
    return fields.Integer(allow_none=True, **kwargs)


# -- arguments ---------------------------------------------------------------------------------


class Arguments(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


class PageArguments(Arguments):
    """A page's query string: a blank value (an empty form field) counts as not given.
    (The API is strict: `date_to=` is not a date there.)"""

    @ma.pre_load
    def _drop_blank(self, data, **kwargs):
        cleaned = {}
        for key in data:
            value = data[key]  # webargs' proxy returns a list for List fields
            if isinstance(value, list):
                value = [item for item in value if not _blank(item)]
                if value:
                    cleaned[key] = value
            elif not _blank(value):
                cleaned[key] = value
        return cleaned


def _blank(value) -> bool:
    return isinstance(value, str) and not value.strip()


class FilterArgs(Arguments):
    source = fields.String(
        validate=validate.Length(max=MAX_FILTER_LENGTH), metadata={"description": "Only this source."}
    )
    tag = fields.List(
        fields.String(validate=validate.Length(max=MAX_FILTER_LENGTH)),
        validate=validate.Length(max=MAX_TAGS),
        metadata={"description": "Only documents with every one of these tags (repeatable)."},
    )
    format = fields.String(
        validate=validate.Length(max=MAX_FILTER_LENGTH),
        metadata={"description": "Only this format: pdf, html, docx, email, markdown, text, jsonl."},
    )
    date_from = fields.Date(metadata={"description": "Only documents dated on or after (YYYY-MM-DD)."})
    date_to = fields.Date(metadata={"description": "Only documents dated on or before (YYYY-MM-DD)."})


class SearchArgs(FilterArgs):
    q = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_QUERY_LENGTH), validate.Regexp(NOT_ONLY_SPACE)],
        error_messages={"required": "the query is empty: give words, a phrase or a question"},
        metadata={"description": 'Words, a "quoted phrase", AND/OR/NOT, or a question.'},
    )
    mode = fields.String(load_default="hybrid", validate=validate.OneOf(MODES))
    k = fields.Integer(
        load_default=10, validate=validate.Range(1, MAX_K), metadata={"description": "Documents to return."}
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(0, MAX_OFFSET),
        metadata={"description": "Documents to skip (pagination)."},
    )
    passages = fields.Integer(
        load_default=3, validate=validate.Range(1, 10), metadata={"description": "Passages per document."}
    )


class ExportArgs(SearchArgs):
    cite = fields.String(
        load_default="csl-json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "csl-json, ris, bibtex (one record per document), text or markdown."},
    )
    doc = fields.List(
        fields.String(validate=validate.Length(max=MAX_FILTER_LENGTH)),
        validate=validate.Length(max=MAX_K),
        metadata={"description": "Only these documents of the results (repeatable); default: all."},
    )


class SearchPageArgs(PageArguments, FilterArgs):
    """The search page: `q` may be absent (the empty form) and `page` replaces k/offset."""

    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_LENGTH))
    mode = fields.String(load_default="hybrid", validate=validate.OneOf(MODES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))


class ListArgs(FilterArgs):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIST_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_LIST_OFFSET))


class ListPageArgs(PageArguments, FilterArgs):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))


class UploadArgs(Arguments):
    """The upload form (multipart): files plus optional source and tags."""

    files = fields.List(
        Upload(),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "One or more files (PDF, HTML, DOCX, e-mail, Markdown, text, JSON lines)."},
    )
    source = fields.String(
        validate=validate.Length(max=MAX_FILTER_LENGTH),
        metadata={"description": "Source name recorded on every uploaded document."},
    )
    tags = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "Tags added to every uploaded document, comma separated."},
    )
    wait = fields.Boolean(
        load_default=True,
        truthy={"true", True},
        falsy={"false", False},
        metadata={"description": "Wait for the ingest and return its report (default); false: 202 + job."},
    )


# -- responses ---------------------------------------------------------------------------------


class ErrorBody(ma.Schema):
    code = fields.String(required=True, metadata={"description": "Stable, for programs to match on."})
    message = fields.String(required=True, metadata={"description": "For people: what went wrong."})


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorBody, required=True)


class DocumentSummary(ma.Schema):
    id = fields.String(required=True)
    external_id = _nullable_string()
    title = fields.String(required=True)
    source = _nullable_string()
    author = _nullable_string()
    date = _nullable_string(metadata={"description": "YYYY-MM-DD"})
    url = _nullable_string()
    path = _nullable_string()
    format = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)


class Scores(ma.Schema):
    keyword = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "BM25F score of the passage (null: no match)."},
    )
    semantic = fields.Float(
        allow_none=True,
        required=True,
        metadata={
            "description": "Cosine similarity to the query, the passage's own vector mixed with its "
            "closest sentence's (`sentence_weight` in docs/QUALITY.md); null in keyword mode."
        },
    )
    hybrid = fields.Float(
        allow_none=True,
        required=True,
        metadata={
            "description": "Fused score (hybrid mode only): the two scores above, normalised and "
            "weighted, plus the passage's term coverage (docs/QUALITY.md)."
        },
    )


class Citation(ma.Schema):
    title = _nullable_string(required=True)
    source = _nullable_string(required=True)
    author = _nullable_string(required=True)
    date = _nullable_string(required=True)
    url = _nullable_string(required=True, metadata={"description": "The original's URL, if known."})
    file = _nullable_string(required=True, metadata={"description": "The original's file name."})
    location = fields.String(
        required=True,
        metadata={"description": 'Page and paragraph of the quote: "p. 3, para. 2", "para. 9" or empty.'},
    )
    page = _nullable_integer(required=True, metadata={"description": "Page of the quote (PDF)."})
    paragraph = _nullable_integer(
        required=True,
        metadata={
            "description": "Paragraph of the quote, counted as the document view numbers them "
            "(from 1 on each page of a PDF)."
        },
    )
    quote = fields.String(required=True, metadata={"description": "The quoted sentence(s), exactly."})
    link = fields.String(
        required=True, metadata={"description": "Opens the document at the quote, highlighted."}
    )
    accessed = fields.String(required=True, metadata={"description": "Access date, YYYY-MM-DD."})
    text = fields.String(required=True, metadata={"description": "Plain-text citation."})
    markdown = fields.String(required=True, metadata={"description": "Markdown citation."})


class Passage(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    start = fields.Integer(required=True, metadata={"description": "Offset in the document text."})
    end = fields.Integer(required=True)
    page = _nullable_integer(required=True, metadata={"description": "Page of the quote (PDF)."})
    paragraph = _nullable_integer(required=True, metadata={"description": "Paragraph of the quote."})
    highlights = fields.List(
        fields.List(fields.Integer()),
        required=True,
        metadata={"description": "[start, end] spans inside `text` to highlight."},
    )
    quote_span = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "[start, end] inside `text` of the quoted sentence(s)."},
    )
    scores = fields.Nested(Scores, required=True)
    citation = fields.Nested(Citation, required=True)


class SearchResult(ma.Schema):
    document = fields.Nested(DocumentSummary, required=True)
    score = fields.Float(required=True)
    passages = fields.List(fields.Nested(Passage), required=True)


class SearchResponse(ma.Schema):
    query = fields.String(required=True)
    mode = fields.String(required=True)
    took_ms = fields.Float(required=True)
    total = fields.Integer(required=True, metadata={"description": "Matching documents."})
    offset = fields.Integer(required=True)
    k = fields.Integer(required=True)
    notices = fields.List(
        fields.String(), required=True, metadata={"description": "e.g. how a malformed query was read."}
    )
    results = fields.List(fields.Nested(SearchResult), required=True)


class ListedDocument(DocumentSummary):
    chunks = fields.Integer(required=True)
    ingested_at = fields.String(required=True)


class DocumentList(ma.Schema):
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    documents = fields.List(fields.Nested(ListedDocument), required=True)


class Chunk(ma.Schema):
    id = fields.Integer(required=True)
    ordinal = fields.Integer(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    page = _nullable_integer(required=True)
    paragraph = _nullable_integer(required=True)
    text = fields.String(required=True)


class DocumentDetail(DocumentSummary):
    language = _nullable_string(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    ingested_at = fields.String(required=True)
    parent_id = _nullable_string(required=True)
    parent = fields.Nested(DocumentSummary, allow_none=True, required=True)
    attachments = fields.List(fields.Nested(DocumentSummary), required=True)
    chunks = fields.List(fields.Nested(Chunk), required=True)
    text = fields.String(required=True)
    pages = fields.List(
        fields.List(fields.Integer()),
        allow_none=True,
        required=True,
        metadata={"description": "[start, end] of each page in `text` (PDF); null without pages."},
    )
    original_available = fields.Boolean(
        required=True, metadata={"description": "The original file can be downloaded."}
    )


class PassageDetail(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    page = _nullable_integer(required=True)
    paragraph = _nullable_integer(required=True)
    quote_span = fields.List(fields.Integer(), required=True)
    document = fields.Nested(DocumentSummary, required=True)
    citation = fields.Nested(Citation, required=True)


class Deleted(ma.Schema):
    deleted = fields.List(fields.String(), required=True)
    chunks_removed = fields.Integer(required=True)


class FailedFile(ma.Schema):
    path = fields.String(required=True)
    reason = fields.String(required=True)


class IngestReport(ma.Schema):
    run_id = fields.Integer(required=True)
    files = fields.Integer(required=True)
    ingested = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    failed = fields.List(fields.Nested(FailedFile), required=True)
    skipped = fields.List(
        fields.Nested(FailedFile),
        required=True,
        metadata={"description": "Left out on purpose: links out of the folders given, data folders."},
    )
    documents = fields.Integer(required=True, metadata={"description": "Documents written."})
    removed = fields.Integer(required=True)
    chunks = fields.Integer(required=True)
    embedded = fields.Integer(required=True)
    seconds = fields.Float(required=True)
    embed_seconds = fields.Float(required=True)
    interrupted = fields.Boolean(required=True)


class UploadReport(IngestReport):
    uploaded = fields.List(
        fields.Nested(DocumentSummary), required=True, metadata={"description": "Documents the files hold."}
    )


class JobLinks(ma.Schema):
    self = fields.String(required=True)
    page = fields.String(required=True)


class Job(ma.Schema):
    job_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("queued", "running", "done", "failed")))
    files = fields.List(fields.String(), required=True, metadata={"description": "Uploaded file names."})
    total_files = fields.Integer(required=True)
    done_files = fields.Integer(required=True)
    chunks = fields.Integer(required=True)
    report = fields.Nested(UploadReport, allow_none=True, required=True)
    error = fields.Nested(ErrorBody, allow_none=True, required=True)
    created_at = fields.String(required=True)
    finished_at = _nullable_string(required=True)
    links = fields.Nested(JobLinks, required=True)


class FacetValue(ma.Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


class Facets(ma.Schema):
    sources = fields.List(fields.Nested(FacetValue), required=True)
    formats = fields.List(fields.Nested(FacetValue), required=True)
    tags = fields.List(fields.Nested(FacetValue), required=True)


class Stats(ma.Schema):
    documents = fields.Integer(required=True)
    chunks = fields.Integer(required=True)
    failed_files = fields.Integer(required=True)
    model = fields.String(required=True)
    dimension = _nullable_integer(required=True)
    precision = _nullable_string(required=True)
    generation = _nullable_integer(required=True)
    vector_index = _nullable_string(required=True)
    keyword_indexed = fields.Integer(required=True)
    vector_indexed = fields.Integer(required=True)
    pending_index_updates = fields.Integer(required=True)
    formats = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    sources = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    disk_bytes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    originals = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Copies kept (count, bytes); documents served by copy or by path."},
    )


class Health(ma.Schema):
    status = fields.String(required=True)
    documents = fields.Integer(required=True)
    chunks = fields.Integer(required=True)
    generation = _nullable_integer(required=True)
