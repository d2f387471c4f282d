"""Build real files of every supported format for tests (no binary fixtures to trust blindly)."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(
    pages: list[str], title: str | None = None, author: str | None = None, created: str = "D:20250314120000Z"
) -> bytes:
    """A small, valid PDF with one text page per item of `pages` (Helvetica, Latin-1 text)."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    next_id = 4
    bodies: dict[int, bytes] = {}
    for text in pages:
        lines = []
        for paragraph in text.split("\n"):
            words, line = paragraph.split(), ""
            for word in words:
                if len(line) + len(word) > 80:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
        for line in lines:
            ops.append(f"({_pdf_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content_id, page_id = next_id, next_id + 1
        next_id += 2
        bodies[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        bodies[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (font_id, content_id)
        )
        page_ids.append(page_id)
    info_id = next_id
    info = [f"/CreationDate ({created})"]
    if title:
        info.append(f"/Title ({_pdf_escape(title)})")
    if author:
        info.append(f"/Author ({_pdf_escape(author)})")
    bodies[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    bodies[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % i for i in page_ids),
        len(page_ids),
    )
    bodies[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    bodies[info_id] = ("<< " + " ".join(info) + " >>").encode("latin-1")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(bodies):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + bodies[number] + b"\nendobj\n")
    xref = out.tell()
    count = max(bodies) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for number in range(1, count):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, info_id, xref)
    )
    del objects
    return out.getvalue()


def write_pdf(path: Path, pages: list[str], **metadata) -> Path:
    path.write_bytes(pdf_bytes(pages, **metadata))
    return path


def write_encrypted_pdf(path: Path, pages: list[str]) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def write_docx(
    path: Path, paragraphs: list[str], title: str | None = None, author: str | None = None
) -> Path:
    import datetime as dt

    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    document.core_properties.created = dt.datetime(2025, 2, 3, 10, 0, 0)
    document.save(str(path))
    return path


def write_eml(
    path: Path,
    subject: str,
    body: str,
    attachment: tuple[str, bytes, str] | None = None,
    sender: str = "Lena Ostrova <lena@example.org>",
    date: str = "Tue, 04 Mar 2025 09:30:00 +0000",
) -> Path:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message.set_content(body)
    if attachment:
        name, data, mime = attachment
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.write_bytes(bytes(message))
    return path


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_wire_feed(path: Path) -> Path:
    """Two wire stories in JSON Lines (ids w1 and w2)."""
    return write_jsonl(
        path,
        [
            {"id": "w1", "title": "Salinity rises", "text": "Salinity in the delta rose to 4 grams per litre."},
            {"id": "w2", "title": "Desalination plant", "text": "A desalination plant opened at Ras Numan."},
        ],
    )


NEWS_HTML = """<!doctype html>
<html><head><title>Envoy warns of drought talks collapse | Harbour Times</title>
<meta name="author" content="Mira Castell">
<meta property="article:published_time" content="2025-05-03T10:00:00Z">
<link rel="canonical" href="https://harbour.example/news/envoy-warns"></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies. Manage preferences.</div>
<article><h1>Envoy warns of drought talks collapse</h1>
<p>The special envoy warned on Tuesday that negotiations over the Velmora reservoir could collapse within days
unless both delegations returned to the table in Geneva, officials said.</p>
<p>"We will not accept a unilateral release schedule," said Commander Qa'id Zahiri, speaking to reporters outside
the hall, as the envoy called for calm and a technical committee to meet again.</p>
<p>Water levels in the reservoir fell by three metres in May, according to engineers at the spillway.</p></article>
<div class="share">Share on Facebook Share on X Share by e-mail</div>
<aside><h3>Related</h3><ul><li><a href="/a">Ten best beaches</a></li><li><a href="/b">Markets close higher</a></li></ul></aside>
<footer><p>Book a demo</p><p>Subscribe to our newsletter</p><p>&copy; 2025 Harbour Times</p></footer>
</body></html>"""
