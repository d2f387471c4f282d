"""Saving uploaded files under `<data>/uploads/<job id>/`, with safe names, never outside it.

A job's folder lives only as long as its job: once the files are ingested (each kept original is
copied into the archive's store) or have failed, the folder is removed. While a job runs, its
process holds an exclusive `flock` on the folder's `.claim` file, so a server starting up can tell
the folders of jobs that died (lock free) from those another server is working on (lock held).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from werkzeug.datastructures import FileStorage

from archive.errors import UsageError
from archive.files import UPLOADS_FOLDER as UPLOADS_FOLDER  # where the server saves uploads
from archive.files import printable_path

CLAIM_FILE = ".claim"  # a dot name: never ingested
_claims: dict[Path, int] = {}  # job folder -> descriptor holding its lock (per process, like flock)
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
    _claims[folder] = _claim(folder / CLAIM_FILE)
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
        discard(folder)
        raise
    return saved


def discard(folder: Path) -> None:
    """Remove a job's folder and release its claim (the job is done, failed or never started)."""
    shutil.rmtree(folder, ignore_errors=True)
    handle = _claims.pop(folder, None)
    if handle is not None:
        os.close(handle)


def sweep(uploads_dir: Path, needed: set[str]) -> int:
    """Remove what jobs that died left behind (their claim is free); files in `needed` (the only
    original of a document uploaded before copies were kept) stay. Returns files removed."""
    removed = 0
    folders = sorted(p for p in uploads_dir.iterdir() if p.is_dir()) if uploads_dir.is_dir() else []
    for folder in folders:
        claim = folder / CLAIM_FILE
        ours = not claim.exists()  # a folder from before claims: leave it as it was
        try:
            handle = _claim(claim, wait=False)
        except OSError:
            continue  # a job of a running server
        try:
            removed += _sweep_folder(folder.resolve(), needed)
            if ours:
                claim.unlink(missing_ok=True)
        finally:
            os.close(handle)
    return removed


def _sweep_folder(folder: Path, needed: set[str]) -> int:
    files = [p for p in folder.iterdir() if p.name != CLAIM_FILE]
    stale = [p for p in files if printable_path(p) not in needed]
    if len(stale) == len(files):
        shutil.rmtree(folder, ignore_errors=True)
        return len(stale)
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(stale)


def _claim(path: Path, wait: bool = True) -> int:
    """An open descriptor holding an exclusive lock on `path` (created if needed)."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(handle)
        raise
    return handle


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
        if folder != root and folder.parent == root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
