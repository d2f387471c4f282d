"""Word documents (.docx): paragraphs and tables in order, with the core properties."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError

from archive.dates import iso_date
from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Source, require_text, split_tags

MAX_UNZIPPED_BYTES = 256 * 2**20
MAX_XML_BYTES = 64 * 2**20  # python-docx holds about 10 bytes of memory per byte of XML
MAX_COMPRESSION_RATIO = 200


class DocxReader:
    format = "docx"
    suffixes = (".docx",)

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"PK\x03\x04") and b"word/" in head

    def read(self, source: Source) -> Iterator[Document]:
        _check_zip(source)
        try:
            document = docx.Document(source.open())
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ReadError(f"not a valid .docx: {error}") from error
        except (zlib.error, EOFError, NotImplementedError) as error:
            raise ReadError(f"not a valid .docx (damaged zip: {error})") from error
        blocks = [p.text.strip() for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells]
                blocks.append(" | ".join(c for c in cells if c))
        text = require_text("\n\n".join(b for b in blocks if b))
        props = document.core_properties
        yield source.document(
            text,
            self.format,
            title=(props.title or "").strip() or source.name.rsplit(".", 1)[0],
            author=(props.author or "").strip() or None,
            date=iso_date(props.created),
            tags=split_tags(props.keywords),
        )


def _check_zip(source: Source) -> None:
    """Refuse what is not a zip, and zip bombs, before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(source.open()) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ReadError("not a valid .docx (not a zip archive)") from error
    unzipped = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    xml = sum(entry.file_size for entry in entries if entry.filename.endswith((".xml", ".rels")))
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_COMPRESSION_RATIO:
        raise ReadError(
            f"refused: .docx would inflate to {unzipped / 2**20:.0f} MB "
            f"(ratio {unzipped / packed:.0f}:1), a zip bomb?"
        )
    if xml > MAX_XML_BYTES:
        raise ReadError(
            f"refused: .docx holds {xml / 2**20:.0f} MB of XML, over the {MAX_XML_BYTES / 2**20:.0f} MB limit"
        )
