"""Each reader on real files built here; the registry picks readers by content, not only name."""

import json

import pytest

from archive.errors import ReadError
from archive.readers import RecordError, Source, read_source
from tests.filebuilders import (
    NEWS_HTML,
    pdf_bytes,
    write_docx,
    write_eml,
    write_encrypted_pdf,
    write_jsonl,
    write_pdf,
)

LIMIT = 10 * 2**20


def read(path, name=None):
    data = path.read_bytes()
    source = Source.from_bytes(name or path.name, f"file:{path}", data, LIMIT)
    source.path = path
    return list(read_source(source))


def only(items):
    documents = [item for item in items if not isinstance(item, RecordError)]
    assert len(documents) == 1
    return documents[0]


def test_plain_text_utf8_title_from_first_line(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Reservoir briefing\n\nThe Qāʾānī letter was read aloud.\n", encoding="utf-8")
    doc = only(read(path))
    assert doc.format == "text" and doc.title == "Reservoir briefing"
    assert "Qāʾānī" in doc.text and doc.sha256 and doc.size == path.stat().st_size


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-16-le"])
def test_plain_text_in_other_encodings_is_decoded(tmp_path, encoding):
    path = tmp_path / "legacy.txt"
    text = "Le président a déclaré à Genève que la réunion était terminée. " * 4
    path.write_bytes(text.encode(encoding))
    assert "président a déclaré à Genève" in only(read(path)).text


def test_markdown_becomes_plain_text_with_front_matter_metadata(tmp_path):
    path = tmp_path / "brief.md"
    path.write_text(
        "---\ntitle: Basin brief\nauthor: R. Amari\ndate: 2025-03-10\ntags: [water, dam]\n---\n"
        "# Heading one\n\nA paragraph with a [link](https://example.org) and **bold** text.\n\n"
        "- first item\n- second item\n",
        encoding="utf-8",
    )
    doc = only(read(path))
    assert (doc.title, doc.author, doc.date, doc.tags) == (
        "Basin brief",
        "R. Amari",
        "2025-03-10",
        ["water", "dam"],
    )
    assert "a link and bold text." in doc.text and "**" not in doc.text and "](" not in doc.text
    assert "first item" in doc.text and "\n\n" in doc.text


def test_html_main_text_without_boilerplate_and_with_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(NEWS_HTML, encoding="utf-8")
    doc = only(read(path))
    assert doc.format == "html"
    assert doc.title == "Envoy warns of drought talks collapse"
    assert doc.author == "Mira Castell" and doc.date == "2025-05-03"
    assert doc.url == "https://harbour.example/news/envoy-warns"
    assert "Velmora reservoir" in doc.text and "Qa'id Zahiri" in doc.text
    for boilerplate in ("cookies", "Book a demo", "Share on Facebook", "Ten best beaches", "Sport"):
        assert boilerplate not in doc.text


def test_html_is_recognised_by_content_whatever_the_name(tmp_path):
    path = tmp_path / "download.bin"
    path.write_text(NEWS_HTML, encoding="utf-8")
    assert only(read(path)).format == "html"


def test_pdf_text_per_page_with_page_spans_and_metadata(tmp_path):
    pages = [
        "First page about the reservoir.",
        "Second page on the spillway gates.",
        "Third page: casualties.",
    ]
    path = write_pdf(tmp_path / "report.pdf", pages, title="Beyond the Gates", author="Meridian Institute")
    doc = only(read(path))
    assert (doc.format, doc.title, doc.author, doc.date) == (
        "pdf",
        "Beyond the Gates",
        "Meridian Institute",
        "2025-03-14",
    )
    assert len(doc.pages) == 3
    for (start, end), page in zip(doc.pages, pages, strict=True):
        assert doc.text[start:end].strip() == page


def test_pdf_sniffed_by_content_and_mislabelled_pdf_is_refused(tmp_path):
    renamed = tmp_path / "scan.dat"
    renamed.write_bytes(pdf_bytes(["Hidden page text."]))
    assert only(read(renamed)).format == "pdf"
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"\x00\x01\x02 this is not a pdf at all" * 50)
    with pytest.raises(ReadError, match="PDF"):
        read(fake)


def test_truncated_and_encrypted_pdfs_give_reasons(tmp_path):
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(pdf_bytes(["Some text that will be cut off."])[:120])
    with pytest.raises(ReadError, match="PDF"):
        read(truncated)
    encrypted = write_encrypted_pdf(tmp_path / "locked.pdf", ["Secret text."])
    with pytest.raises(ReadError, match="encrypted PDF"):
        read(encrypted)


def test_pdf_without_text_layer_says_so(tmp_path):
    path = tmp_path / "scanned.pdf"
    path.write_bytes(pdf_bytes([""]))
    with pytest.raises(ReadError, match="no text layer"):
        read(path)


def test_docx_paragraphs_and_core_properties(tmp_path):
    path = write_docx(
        tmp_path / "readout.docx",
        ["Proximity talks readout.", "Delegations met twice."],
        title="Talks readout",
        author="Office of the Envoy",
    )
    doc = only(read(path))
    assert (doc.format, doc.title, doc.author, doc.date) == (
        "docx",
        "Talks readout",
        "Office of the Envoy",
        "2025-02-03",
    )
    assert doc.text == "Proximity talks readout.\n\nDelegations met twice."


def test_docx_that_is_not_a_zip_and_zip_bomb_are_refused(tmp_path):
    import zipfile

    broken = tmp_path / "broken.docx"
    broken.write_text("this is plain text pretending to be a docx")
    with pytest.raises(ReadError, match="not a valid .docx"):
        read(broken)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (30 * 2**20))
    with pytest.raises(ReadError, match="zip bomb"):
        read(bomb)


def test_email_with_attachment_yields_message_and_linked_attachment(tmp_path):
    path = write_eml(
        tmp_path / "msg.eml",
        "War-risk premium raised",
        "Underwriters raised the premium.\n",
        attachment=("briefing.txt", b"Briefing note: premium at 1.2 percent of hull value.", "text/plain"),
    )
    message, attachment = read(path)
    assert (message.format, message.title, message.date) == ("email", "War-risk premium raised", "2025-03-04")
    assert "Lena Ostrova" in message.author and "Underwriters raised the premium." in message.text
    assert attachment.parent_identity == message.identity
    assert attachment.identity == f"{message.identity}#attachment-1"
    assert "premium at 1.2 percent" in attachment.text and attachment.date == "2025-03-04"


def test_jsonl_beir_and_generic_records_with_a_bad_line_reported(tmp_path):
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {
                "_id": "4983",
                "title": "Microstructural development",
                "text": "Alterations of the architecture.",
            },
            '{"id": "w2", "title": "broken", "text": ',
            {
                "id": "w3",
                "title": "Wire item",
                "text": "Envoy lands in Valmorra.",
                "author": "Desk",
                "date": "2026-02-24T08:00:00Z",
                "url": "https://wire.example/w3",
                "source": "Basin Wire",
                "tags": ["talks"],
            },
            {"id": "w4", "title": "No text"},
        ],
    )
    items = read(path)
    documents = [i for i in items if not isinstance(i, RecordError)]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [d.external_id for d in documents] == ["4983", "w3"]
    assert documents[0].title == "Microstructural development"
    wire = documents[1]
    assert (wire.author, wire.date, wire.url, wire.source, wire.tags) == (
        "Desk",
        "2026-02-24",
        "https://wire.example/w3",
        "Basin Wire",
        ["talks"],
    )
    assert [e.location for e in errors] == ["line 2", "line 4"]
    assert "malformed JSON" in errors[0].reason and "no text" in errors[1].reason
    assert documents[0].sha256 != documents[1].sha256


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40, "binary|unsupported"),
        (bytes(range(256)) * 40, "binary|unsupported|encoding"),
    ],
)
def test_empty_and_binary_files_are_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "thing.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read(path)


def test_json_records_keep_text_exactly(tmp_path):
    record = {"id": "x", "text": "Line one.\r\nLine two — “quoted”."}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert only(read(path)).text == "Line one.\nLine two — “quoted”."
