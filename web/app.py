"""Flask app factory: one Archive and one SearchService per process, on `app.extensions`."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Flask, request, url_for
from flask_wtf.csrf import CSRFProtect

from archive import operations
from archive.config import Settings
from archive.search import SearchService
from archive.store import Archive
from web import errors, present, schemas, security
from web.api import api, create_api, health
from web.forms import ArchiveRequest
from web.jobs import JobRunner, Writer
from web.views import views

DEFAULTS = {
    "MAX_CONTENT_LENGTH": 64 * 2**20,  # one upload request
    "MAX_UPLOAD_FILES": 100,
    "SEARCH_PAGE_SIZE": 10,
    "LIST_PAGE_SIZE": 50,
    "BIND_HOST": "127.0.0.1",  # set by `archive serve`; off loopback, forms need the API key
    "API_KEY": None,  # None: read (or create) the data folder's `api_key`
    "FORMS_NEED_KEY": None,  # None: decided by BIND_HOST and EXTRA_HOSTS
    "EXTRA_HOSTS": [],  # Host names a proxy uses for a loopback server (ARCHIVE_TRUSTED_HOSTS)
    "ALLOWED_HOSTS": None,  # None: loopback names (+ EXTRA_HOSTS) on loopback, any elsewhere
    "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the browser session
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,  # static files carry a content hash in the URL
}


def create_app(
    settings: Settings | None = None, archive: Archive | None = None, config: dict | None = None
) -> Flask:
    """The web UI and JSON API over one archive (opened read-only; writes lock it per change)."""
    app = Flask(__name__)
    app.request_class = ArchiveRequest  # a 413 says which limit was hit
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})
    settings = settings or (archive.settings if archive is not None else Settings.from_env())
    archive = archive if archive is not None else operations.open_archive(settings)
    writer = Writer(settings)
    app.extensions["archive"] = archive
    app.extensions["search"] = SearchService(archive)
    app.extensions["writer"] = writer
    app.extensions["jobs"] = JobRunner(writer)

    security.install(app, Path(settings.data_dir))
    csrf = CSRFProtect(app)
    csrf.exempt(api)
    csrf.exempt(health)
    create_api(app)
    app.register_blueprint(views)
    errors.register(app)  # after flask-smorest, whose own handler it replaces
    _setup_templates(app)
    app.json.sort_keys = False  # keep the documented key order
    return app


def _setup_templates(app: Flask) -> None:
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        segments=present.segments,
        passage_snippet=present.passage_snippet,
        web_url=present.web_url,
        title_of=present.title_of,
        basename=present.basename,
        why_matched=present.why_matched,
        form_needs_key=security.form_needs_key,
        page_url=page_url,
        static_url=_static_url(app),
    )


# The query arguments each page with links to itself knows (its schema's fields).
PAGE_ARGUMENTS = {"views.search_page": schemas.SearchPageArgs, "views.documents_page": schemas.ListPageArgs}


def page_url(**changes) -> str:
    """This page's URL with some query arguments changed; blanks are left out (tidy links).

    Only the page's own arguments are carried over: any other name reached `url_for` as an
    option (`_external=1` made every pager link absolute, `_anchor` or `_method` was a 500)."""
    known = _known_arguments(request.endpoint)
    args = {key: values for key, values in request.args.to_dict(flat=False).items() if key in known}
    args.update({key: value if isinstance(value, list) else [value] for key, value in changes.items()})
    clean = {key: [v for v in values if v not in ("", None)] for key, values in args.items()}
    return url_for(request.endpoint, **(request.view_args or {}), **{k: v for k, v in clean.items() if v})


@functools.cache
def _known_arguments(endpoint: str | None) -> frozenset[str]:
    schema_class = PAGE_ARGUMENTS.get(endpoint or "")
    if schema_class is None:
        return frozenset()
    return frozenset(field.data_key or name for name, field in schema_class().fields.items())


def _static_url(app: Flask):
    """`url_for('static')` plus a content hash, so static files can be cached for a year."""
    versions: dict[str, str] = {}

    def static_url(filename: str) -> str:
        if filename not in versions:
            data = (Path(app.static_folder) / filename).read_bytes()
            versions[filename] = hashlib.sha256(data).hexdigest()[:10]
        return url_for("static", filename=filename, v=versions[filename])

    return static_url
