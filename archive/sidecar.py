"""Bulk metadata for an ingest: a CSV or JSON file with one row per ingested file.

CSV: a header row with `path` and any of title, source, author, date, url, tags (tags separated
by `;`). JSON: a list of objects with the same keys (tags a list or a `;`-separated string), or
an object mapping each path to such an object. A path is absolute or relative to the folder
being ingested (with several folders, the first one holding the file). An empty value leaves the
file's own value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive.files import printable_path
from archive.metadata import EDITABLE_FIELDS, InvalidMetadata, validate

MAX_SIDECAR_BYTES = 64 * 2**20
SHOWN_PROBLEMS = 10


@dataclass
class SidecarRow:
    where: str  # "meta.csv row 3", for messages
    path: str  # as written in the file
    values: dict


@dataclass
class Sidecar:
    """Validated rows keyed by the file each one describes (as the catalog names files)."""

    name: str
    rows: dict[str, SidecarRow] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)  # paths of rows that match no file

    def values_for(self, shown_path: str) -> dict:
        row = self.rows.get(shown_path)
        return row.values if row else {}

    def unmatched(self, shown_paths: Iterable[str]) -> list[str]:
        """Rows naming a file the ingest did not find, by the path the row gives."""
        found = set(shown_paths)
        return self.not_found + [row.path for key, row in self.rows.items() if key not in found]


def load_sidecar(path: str | Path, roots: list[str]) -> Sidecar:
    """Read and check every row; raises InvalidMetadata naming each bad row and its reason."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise InvalidMetadata(f"{path.name}: larger than {MAX_SIDECAR_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidMetadata(f"cannot read the metadata file {path}: {error}") from None
    raw_rows = _json_rows(path.name, text) if path.suffix.lower() == ".json" else _csv_rows(path.name, text)
    sidecar, problems = Sidecar(path.name), []
    folders = _folders(roots)
    for where, row in raw_rows:
        try:
            _add(sidecar, where, row, folders)
        except InvalidMetadata as error:
            problems.append(error.message)
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        shown = "; ".join(problems[:SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        raise InvalidMetadata(f"the metadata file {path.name} has {len(problems)} bad row(s): {shown}")
    return sidecar


def _add(sidecar: Sidecar, where: str, row: dict, folders: list[Path]) -> None:
    given = row.get("path")
    if not isinstance(given, str) or not given.strip():
        raise InvalidMetadata(f"{where}: path: missing (every row names the file it describes)")
    values = {k: v for k, v in row.items() if k != "path" and v not in (None, "", [])}
    clean = validate(values, where)
    target = _resolve(given.strip(), folders)
    if target is None:
        sidecar.not_found.append(given)
        return
    key = printable_path(target)
    if key in sidecar.rows:
        raise InvalidMetadata(f"{where}: path: {given} is also described by {sidecar.rows[key].where}")
    sidecar.rows[key] = SidecarRow(where, given, clean)


def _folders(roots: list[str]) -> list[Path]:
    folders = []
    for root in roots:
        folder = Path(root).resolve()
        folders.append(folder if folder.is_dir() else folder.parent)
    return folders


def _resolve(given: str, folders: list[Path]) -> Path | None:
    candidate = Path(given).expanduser()
    options = [candidate] if candidate.is_absolute() else [folder / candidate for folder in folders]
    for option in options:
        if option.is_file():
            return option.resolve()
    return None


def _csv_rows(name: str, text: str) -> Iterator[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "path" not in columns:
        raise InvalidMetadata(f"{name}: the first row must name the columns, one of them `path`")
    _check_columns(name, columns)
    reader.fieldnames = columns
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InvalidMetadata(f"{name} row {number}: more values than columns")
        yield f"{name} row {number}", {k: (v or "").strip() for k, v in row.items()}


def _json_rows(name: str, text: str) -> Iterator[tuple[str, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidMetadata(f"{name}: not JSON ({error})") from None
    if isinstance(data, dict):
        data = [{"path": key, **value} if isinstance(value, dict) else value for key, value in data.items()]
    if not isinstance(data, list):
        raise InvalidMetadata(f"{name}: expected a list of objects, one per file")
    for number, row in enumerate(data, start=1):
        where = f"{name} item {number}"
        if not isinstance(row, dict):
            raise InvalidMetadata(f"{where}: expected an object with `path` and metadata fields")
        _check_columns(where, list(row))
        yield where, row


def _check_columns(where: str, columns: list[str]) -> None:
    unknown = [c for c in columns if c != "path" and c not in EDITABLE_FIELDS]
    if unknown:
        raise InvalidMetadata(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} "
            f"(known: path, {', '.join(EDITABLE_FIELDS)})"
        )
