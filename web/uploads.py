"""Saving uploaded files under `<data>/uploads/<job id>/`, with safe names, never outside it."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from werkzeug.datastructures import FileStorage

from archive.errors import UsageError

UPLOADS_FOLDER = "uploads"
MAX_NAME_LENGTH = 120
_UNSAFE = re.compile(r"[^\w.\- ]+")
_SPACES = re.compile(r"\s+")


def safe_name(raw: str | None, fallback: str) -> str:
    """A file name that is one path component, printable, short, and keeps its extension."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip().lstrip("._- ")
    if not name:
        return fallback
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:20]
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


def new_job_id() -> str:
    return f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def chosen_files(files: Iterable[FileStorage], max_files: int) -> list[FileStorage]:
    """The parts that carry a file (a form with no file chosen sends one empty part)."""
    chosen = [f for f in files if isinstance(f, FileStorage) and f.filename]
    if not chosen:
        raise UsageError("choose at least one file to upload", code="no_files")
    if len(chosen) > max_files:
        raise UsageError(
            f"{len(chosen)} files in one upload; the limit is {max_files}", code="too_many_files"
        )
    return chosen


def save_uploads(files: list[FileStorage], uploads_dir: Path, job_id: str) -> list[Path]:
    """Write each file into a new folder for this job; returns the saved (resolved) paths."""
    folder = (uploads_dir / job_id).resolve()
    folder.mkdir(parents=True, mode=0o700)
    saved: list[Path] = []
    used: set[str] = set()
    try:
        for number, storage in enumerate(files, start=1):
            name = _unique(safe_name(storage.filename, f"upload-{number}"), used)
            target = (folder / name).resolve()
            if target.parent != folder:  # cannot happen with safe_name; refuse rather than trust it
                raise UsageError(f"refusing the file name {storage.filename!r}", code="bad_file_name")
            storage.save(target)
            saved.append(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return saved


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    stem, ext = os.path.splitext(name)
    while candidate.lower() in used:
        number += 1
        candidate = f"{stem}-{number}{ext}"
    used.add(candidate.lower())
    return candidate


def remove_if_uploaded(paths: Iterable[str], uploads_dir: Path) -> None:
    """Delete stored uploads (and their emptied job folders); files elsewhere are left alone."""
    root = uploads_dir.resolve()
    for raw in paths:
        path = Path(raw).resolve()
        if root not in path.parents:
            continue
        path.unlink(missing_ok=True)
        folder = path.parent
        if folder != root and folder.parent == root and not any(folder.iterdir()):
            folder.rmdir()
