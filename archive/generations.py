"""Which index generation is current: the manifest (model, settings, generation), kept in the
catalog so that every process, on this machine or another, sees one switch.

Recording a new manifest is the switch from one generation to the next: one unit of work of the
catalog, made after the new generation is complete. Archives made before kept it in
`manifest.json` beside the indexes; a writer moves it into the catalog once (`migrate`), a
reader of such an archive reads the file.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from archive.catalog import Catalog
from indexer.manifest import MANIFEST_FILE, Manifest

MANIFEST_KEY = "index_manifest"


def current(catalog: Catalog, data_dir: Path) -> Manifest | None:
    """The current generation's manifest; None before the first generation was built."""
    stored = catalog.get_meta(MANIFEST_KEY)
    if stored:
        return parse(stored)
    return Manifest.load(data_dir)  # an archive made before the catalog kept it


def stamp(catalog: Catalog) -> str | None:
    """What changes when another process switches generations (cheap: one small read)."""
    return catalog.get_meta(MANIFEST_KEY)


def parse(stored: str) -> Manifest:
    data = json.loads(stored)
    known = set(Manifest.__dataclass_fields__)
    return Manifest(**{key: value for key, value in data.items() if key in known})


def switch(catalog: Catalog, manifest: Manifest) -> None:
    """Make `manifest` (whose generation is complete on disk) the current one."""
    with catalog.writing() as w:
        w.set_meta(MANIFEST_KEY, json.dumps(asdict(manifest), sort_keys=True))


def forget(catalog: Catalog) -> None:
    """No generation is current (`check --repair` then builds one)."""
    with catalog.writing() as w:
        w.delete_meta(MANIFEST_KEY)


def migrate(catalog: Catalog, data_dir: Path) -> None:
    """Writers: move a manifest file left by an older version into the catalog."""
    legacy = Path(data_dir) / MANIFEST_FILE
    if catalog.get_meta(MANIFEST_KEY) is None and legacy.exists():
        manifest = Manifest.load(data_dir)
        if manifest is not None:
            switch(catalog, manifest)
    legacy.unlink(missing_ok=True)
