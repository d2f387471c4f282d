"""A full disk, a read-only folder, a folder the user may not write, no memory: one clear line
naming the folder and what to do, exit status 1, no traceback, no 500 (507 or 503 with the JSON
error shape), and no half-written file (the API key above all).

The disk really is full: the data folder sits on a tmpfs of 4 MB (mounted by the
test; it runs as root), filled by a file after a first ingest. Read-only is a read-only remount
of it (chmod does not stop root).
"""

from __future__ import annotations

import errno
import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.config import Settings
from archive.errors import OutOfResources, resource_error
from indexer.vector import VectorIndex
from tests.conftest import ingest
from web import create_app
from web.security import API_KEY_FILE, load_or_create_api_key

TEST_KEY = "resources-test-key-0123456789"


@pytest.fixture()
def small_disk(tmp_path):
    """A 4 MB tmpfs (skipped, with the reason, where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk; the returned file gives them back when deleted."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:  # unbuffered: nothing left to fail on close
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


def write_doc(folder: Path, name: str, words: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{words.capitalize()} report.\n\n" + f"The {words} were measured again. " * 40, "utf-8")
    return path


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"archive {' '.join(map(str, args))} raised {result.exception!r}"
    )
    return result.exit_code, result.output


def test_ingest_on_a_full_disk_is_one_clear_line_and_the_archive_survives(small_disk, tmp_path):
    data = small_disk / "data"
    ingest(Settings.from_env(data), write_doc(tmp_path / "a", "a.txt", "velmora reservoirs"))
    filler = fill(small_disk)
    code, output = run("ingest", write_doc(tmp_path / "b", "b.txt", "quarry ledgers"), "--data", data)
    assert code == 1, output
    assert "Traceback" not in output and output.count("error:") == 1, output
    assert f"no space left on the disk holding '{data}" in output and "free space" in output, output
    filler.unlink()
    code, output = run("check", "--repair", "--data", data)
    assert code == 0, f"after freeing space: {output}"
    code, output = run("search", "velmora", "--mode", "keyword", "--data", data)
    assert code == 0 and "a.txt" in output, output


def test_a_first_start_on_a_full_disk_leaves_no_key_file(small_disk):
    fill(small_disk)
    with pytest.raises(OSError) as raised:
        load_or_create_api_key(small_disk)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"], "a half-written key file was left"
    problem = resource_error(raised.value, small_disk)
    assert isinstance(problem, OutOfResources) and problem.status == 507, problem
    (small_disk / "filler").unlink()
    key = load_or_create_api_key(small_disk)
    assert len(key) >= 32 and load_or_create_api_key(small_disk) == key
    assert (small_disk / API_KEY_FILE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("content", [b"", b"\n  \n", b"\xff\xfe\x00"])
def test_an_empty_or_garbled_key_file_from_an_older_version_is_replaced(tmp_path, content):
    (tmp_path / API_KEY_FILE).write_bytes(content)
    key = load_or_create_api_key(tmp_path)
    assert len(key) >= 32 and (tmp_path / API_KEY_FILE).read_text().strip() == key
    assert sorted(p.name for p in tmp_path.iterdir()) == [API_KEY_FILE], "a temporary file was left"


def test_a_read_only_data_folder_is_named_with_what_to_do(small_disk, tmp_path):
    data = small_disk / "data"
    ingest(Settings.from_env(data), write_doc(tmp_path / "a", "a.txt", "velmora reservoirs"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    code, output = run("ingest", write_doc(tmp_path / "b", "b.txt", "quarry ledgers"), "--data", data)
    assert code == 1 and "Traceback" not in output and output.count("error:") == 1, output
    assert "read-only file system" in output and str(data) in output and "--data" in output, output


def test_an_upload_on_a_full_disk_is_a_507_with_the_json_error(small_disk, tmp_path):
    data = small_disk / "data"
    ingest(Settings.from_env(data), write_doc(tmp_path / "a", "a.txt", "velmora reservoirs"))
    app = create_app(Settings.from_env(data), config={"API_KEY": TEST_KEY})
    fill(small_disk)
    try:
        response = app.test_client().post(
            "/api/documents",
            data={"files": (io.BytesIO(b"Quarry ledgers were counted. " * 2000), "b.txt")},
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
        assert response.status_code == 507, f"{response.status_code} {response.get_data(as_text=True)[:300]}"
        error = response.get_json()["error"]
        assert error["code"] == "insufficient_storage" and "no space left" in error["message"], error
        page = app.test_client().get("/?q=velmora&mode=keyword")
        assert page.status_code == 200, "searching must keep working on a full disk"
    finally:
        app.extensions["archive"].close()


def test_memory_and_permission_errors_read_as_what_to_do(tmp_path):
    assert resource_error(MemoryError(), tmp_path).status == 503
    assert "out of memory" in resource_error(MemoryError(), tmp_path).message
    denied = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "catalog.sqlite3"))
    problem = resource_error(RuntimeError("wrapped"), tmp_path) or resource_error(denied, tmp_path)
    assert "permission denied on" in problem.message and "catalog.sqlite3" in problem.message
    assert resource_error(FileNotFoundError(errno.ENOENT, "gone"), tmp_path) is None


def test_a_vector_index_saved_on_a_full_disk_leaves_no_partial_copy(small_disk):
    folder = small_disk / "vectors"
    index = VectorIndex(folder, 64, create=True)
    index.apply(np.arange(1, 9, dtype=np.int64), np.ones((8, 64), dtype=np.float32), [], 1)
    before = sorted(p.name for p in folder.iterdir())
    fill(small_disk)
    ids = np.arange(100, 5100, dtype=np.int64)
    with pytest.raises(RuntimeError) as raised:  # FAISS's own error, carrying the system's reason
        index.apply(ids, np.ones((len(ids), 64), dtype=np.float32), [], 2)
    assert resource_error(raised.value, folder).status == 507, raised.value
    assert sorted(p.name for p in folder.iterdir()) == before, "a partial index file was left"


@pytest.fixture()
def immutable_folder(tmp_path):
    """A folder nobody may write, root included (`chattr +i`; chmod does not stop root)."""
    folder = tmp_path / "locked-data"
    folder.mkdir()
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {done.stderr.decode().strip()}")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_folder_the_user_may_not_write_is_named(immutable_folder, tmp_path):
    code, output = run(
        "ingest", write_doc(tmp_path / "a", "a.txt", "quarry ledgers"), "--data", immutable_folder
    )
    assert code == 1 and "Traceback" not in output and output.count("error:") == 1, output
    assert "permission denied on" in output and str(immutable_folder) in output and "write access" in output
