"""The `archive` command: thin shells over the archive's service functions.

Every command takes `--data DIR` (env ARCHIVE_DATA, default ./data). A problem the user can fix
prints one line, without a traceback; usage errors exit with status 2.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from importlib.metadata import entry_points

import click

from archive import operations, render
from archive.catalog import Filters, engine_errors
from archive.citations.export import FORMATS, export
from archive.config import Settings
from archive.errors import ArchiveError, resource_error
from archive.search import MODES, SearchRequest, SearchService
from archive.store import Archive


def data_option(command):
    @click.option(
        "--data",
        "data_dir",
        envvar="ARCHIVE_DATA",
        default="data",
        show_default=True,
        type=click.Path(file_okay=False),
        help="The archive's data folder (env ARCHIVE_DATA).",
    )
    @functools.wraps(command)
    def wrapper(*args, data_dir, **kwargs):
        try:
            return command(*args, settings=Settings.from_env(data_dir), **kwargs)
        except ArchiveError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)
        except (OSError, MemoryError, RuntimeError, *engine_errors()) as error:
            problem = resource_error(error, data_dir)
            if problem is None:
                raise
            click.echo(f"error: {problem.message}", err=True)
            sys.exit(problem.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


def emit_json(data: dict) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class ArchiveGroup(click.Group):
    """The `archive` group: other packages' commands are added on first use (`load_commands`)."""

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            load_commands(self)

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=ArchiveGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="archive")
def cli() -> None:
    """A document archive with full-text and semantic search."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--source", help="Source name recorded on every document ingested.")
@click.option("--tag", "tags", multiple=True, help="Tag added to every document (repeatable).")
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV or JSON file of metadata, one row per file (path, title, source, author, date, url, "
    "tags separated by ';').",
)
@click.option("--retry-failed", is_flag=True, help="Only retry files that failed before.")
@click.option(
    "--copy/--no-copy",
    "copy_originals",
    default=None,
    help="Keep a copy of each file as its original (default; env ARCHIVE_COPY_ORIGINALS=0 turns it "
    "off). Without a copy the file at its path is served only while its sha256 is unchanged.",
)
@click.option("--wait", is_flag=True, help="Wait for another running ingest instead of stopping.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@data_option
def ingest(
    paths, source, tags, metadata_file, retry_failed, copy_originals, wait, progress, as_json, settings
):
    """Ingest files, folders (recursive) and globs; unchanged files are skipped, but --source,
    --tag and --metadata still update their metadata (never over an edit)."""
    from archive.ingest import Ingestor
    from archive.sidecar import load_sidecar

    if not paths and not retry_failed:
        raise click.UsageError("give at least one file, folder or glob (or --retry-failed)")
    sidecar = load_sidecar(metadata_file, list(paths)) if metadata_file else None
    with Archive(settings, write=True, wait=wait) as archive:
        ingestor = Ingestor(
            archive,
            source=source,
            tags=tags,
            retry_failed=retry_failed,
            progress=render.ProgressBar(progress),
            sidecar=sidecar,
            copy_originals=copy_originals,
        )
        result = ingestor.run(paths)
    report = result.to_dict()
    if as_json:
        emit_json(report)
    else:
        click.echo(render.ingest_report(report))
    sys.exit(result.exit_code)


@cli.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "-k", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="Documents to return."
)
@click.option("--offset", type=click.IntRange(0, 1000), default=0, help="Skip this many documents.")
@click.option("--source", help="Only documents from this source.")
@click.option("--tag", "tags", multiple=True, help="Only documents with this tag (repeatable).")
@click.option("--format", "fmt", help="Only documents of this format (pdf, html, text, ...).")
@click.option("--date-from", help="Only documents dated on or after (YYYY-MM-DD).")
@click.option("--date-to", help="Only documents dated on or before (YYYY-MM-DD).")
@click.option("--exact", is_flag=True, help='Every word as typed: no spelling variants of names (as "Word").')
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result (the API's shape).")
@click.option(
    "--cite",
    type=click.Choice(FORMATS),
    help="Print only the citations of the results: text, markdown, or a file for reference "
    "managers (csl-json, ris, bibtex; one record per document).",
)
@data_option
def search(query, mode, k, offset, source, tags, fmt, date_from, date_to, exact, as_json, cite, settings):
    """Search by keyword, phrase or question."""
    filters = Filters(
        source=source,
        tags=tuple(tags),
        format=fmt,
        date_from=_date_option(date_from, "--date-from"),
        date_to=_date_option(date_to, "--date-to"),
    )
    with Archive(settings) as archive:
        if mode != "keyword":
            archive.warm_up()  # took_ms then reports the search, not the model loading
        response = SearchService(archive).search(
            SearchRequest(query=query, mode=mode, k=k, offset=offset, filters=filters, exact=exact)
        )
    if cite:
        for notice in response["notices"]:
            click.echo(f"note: {notice['message']}", err=True)
        click.echo(export(response["results"], cite), nl=False)
    elif as_json:
        emit_json(response)
    else:
        click.echo(render.search_results(response, color=sys.stdout.isatty()))


def _date_option(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    from archive.dates import iso_date

    parsed = iso_date(value)
    if parsed is None:
        raise click.BadParameter(f"'{value}' is not a date (use YYYY-MM-DD)", param_hint=name)
    return parsed


@cli.command(name="list")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True)
@data_option
def list_command(limit, offset, as_json, settings):
    """List documents, newest first."""
    with Archive(settings) as archive:
        listing = operations.list_documents(archive, limit, offset)
    if as_json:
        emit_json(listing)
        return
    for doc in listing["documents"]:
        click.echo(f"{doc['id']}  {doc['date'] or '          '}  {doc['format']:<8} {doc['title']}")
    click.echo(f"({len(listing['documents'])} of {listing['total']} documents)")


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@data_option
def show(doc_id, as_json, settings):
    """Show one document: metadata and full text."""
    with Archive(settings) as archive:
        document = operations.show(archive, doc_id)
    if as_json:
        emit_json(document)
    else:
        click.echo(render.document_text(document, document["chunks"], document["attachments"]))


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of stopping.")
@data_option
def delete(doc_ids, wait, settings):
    """Delete documents from the catalog and both indexes."""
    with Archive(settings, write=True, wait=wait) as archive:
        result = operations.delete(archive, list(doc_ids))
    click.echo(f"deleted {len(result['deleted'])} document(s), {result['chunks_removed']} chunk(s)")


@cli.command()
@click.argument("doc_id")
@click.option("--title", help="New title.")
@click.option("--source", help="New source ('' clears it).")
@click.option("--author", help="New author ('' clears it).")
@click.option("--date", help="New date, YYYY-MM-DD ('' clears it).")
@click.option("--url", help="New web address of the original ('' clears it).")
@click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--remove-tag", "removed", multiple=True, help="Remove a tag (repeatable).")
@click.option("--clear-tags", is_flag=True, help="Remove every tag first (then add --tag ones).")
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of stopping.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the API's shape).")
@data_option
def edit(doc_id, title, source, author, date, url, tags, removed, clear_tags, wait, as_json, settings):
    """Correct a document's metadata; the edit is kept over later re-ingests and recorded in
    its history (shown by `archive show`)."""
    given = {"title": title, "source": source, "author": author, "date": date, "url": url}
    changes = {name: value for name, value in given.items() if value is not None}
    retag = bool(tags or removed or clear_tags)
    if not changes and not retag:
        raise click.UsageError("nothing to change: give --title, --source, --author, --date, --url or tags")
    with Archive(settings, write=True, wait=wait) as archive:
        if retag:
            changes["tags"] = operations.retag(archive, doc_id, tags, removed, clear_tags)
        result = operations.edit(archive, doc_id, changes, who="cli")
    if as_json:
        emit_json(result)
    else:
        click.echo(render.edit_report(result))


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@data_option
def stats(as_json, settings):
    """Counts, model and index sizes."""
    with Archive(settings) as archive:
        figures = operations.stats(archive)
    if as_json:
        emit_json(figures)
        return
    for key, value in figures.items():
        click.echo(f"{key:>22}: {value}")


@cli.command()
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of stopping.")
@data_option
def reindex(wait, settings):
    """Rebuild both indexes from the catalog (re-embedding only if the model changed)."""
    with Archive(settings, write=True, wait=wait) as archive:
        result = operations.reindex(archive)
    click.echo(
        f"rebuilt generation {result['generation']}: {result['documents']} documents, "
        f"{result['keyword_indexed']} chunks in the keyword index, "
        f"{result['vector_indexed']} in the vector index"
    )


@cli.command(name="check")
@click.option("--repair", "fix", is_flag=True, help="Make the indexes agree with the catalog.")
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of stopping.")
@click.option("--json", "as_json", is_flag=True)
@data_option
def check_command(fix, wait, as_json, settings):
    """Verify that the catalog and both indexes agree; exit 1 when they do not."""
    from archive.check import check_and_repair

    with Archive(settings, write=True, wait=wait) as archive:
        report = check_and_repair(archive, fix=fix)
    if as_json:
        emit_json(report)
    else:
        click.echo(render.check_report(report))
    sys.exit(0 if report["ok"] else 1)


@cli.command(name="eval")
@click.argument("beir_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score.")
@click.option("--mode", "modes", type=click.Choice([*MODES, "all"]), default="all", show_default=True)
@click.option(
    "--per-query",
    "per_query_file",
    type=click.Path(dir_okay=False, writable=True),
    help="Write each query's figures (JSON) to this file.",
)
@click.option(
    "--baselines",
    is_flag=True,
    help="Also score plain BM25, MiniLM alone and their convex fusion on the same collection.",
)
@click.option("--json", "as_json", is_flag=True)
@data_option
def eval_command(beir_dir, split, modes, per_query_file, baselines, as_json, settings):
    """nDCG@10, Recall@100, MRR@10 on a BEIR data set (ingested into --data first)."""
    from archive.evaluation import eval_table, evaluate, ingest_collection, load_beir

    data = load_beir(beir_dir, split)
    with Archive(settings, write=True) as archive:
        ingest_collection(archive, data, render.ProgressBar(None))
    chosen = list(MODES) if modes == "all" else [modes]
    with Archive(settings) as archive:
        bar = render.ProgressBar(None)
        bar.start(len(data.queries) * len(chosen))
        summary, per_query = evaluate(
            SearchService(archive), data, split, chosen, progress=lambda: bar.advance(1, 0)
        )
        bar.close()
        if baselines:
            from archive.baselines import baseline_figures

            summary["baselines"] = baseline_figures(
                beir_dir, split, archive.embedder, settings.data_dir / "baselines"
            )
    if per_query_file:
        with open(per_query_file, "w", encoding="utf-8") as handle:
            json.dump({"queries": data.queries, "figures": per_query}, handle, indent=1)
    if as_json:
        emit_json(summary)
        return
    click.echo(f"{summary['dataset']} ({split}, {summary['queries']} queries)")
    click.echo(eval_table(summary))


COMMANDS_GROUP = "archive.commands"
# Packages of this project that add commands, for an install whose metadata predates the entry
# point group (an editable install made before it existed); a fresh install lists them itself.
BUNDLED_COMMANDS = ("web.commands:register",)


def load_commands(group: click.Group) -> None:
    """Let other packages add commands (`serve` comes from `web`): each entry point of the group
    `archive.commands` names a function called with the CLI group, as Datasette's
    `register_commands` hook is. The archive itself never imports the layers above it."""
    found = entry_points(group=COMMANDS_GROUP)
    targets = [entry.value for entry in found] or list(BUNDLED_COMMANDS)
    for target in targets:
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name.split(".")[0]:
                raise
            continue  # that package is not installed: its commands are absent
        getattr(module, attribute)(group)


def main() -> None:
    cli(prog_name="archive")
