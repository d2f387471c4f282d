"""E-mail messages (.eml): subject, sender, date and body; attachments become documents too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from archive.dates import iso_date
from archive.domain import Document, part_identity
from archive.errors import ReadError
from archive.readers.base import RecordError, Source
from archive.readers.boilerplate import split_footer
from archive.readers.html import check_markup
from archive.readers.textmeta import head_metadata, merge

_HEADER_LINE = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To):", re.I
)

ReadNested = Callable[[Source], Iterator[Document | RecordError]]


class EmailReader:
    format = "email"
    suffixes = (".eml",)

    def __init__(self, read_nested: ReadNested):
        self._read_nested = read_nested

    def sniff(self, head: bytes) -> bool:
        lines = head.splitlines()[:12]
        return sum(bool(_HEADER_LINE.match(line)) for line in lines) >= 3

    def read(self, source: Source) -> Iterator[Document | RecordError]:
        message = BytesParser(policy=policy.default).parsebytes(source.read_bytes())
        if not isinstance(message, EmailMessage) or not (message["From"] or message["Subject"]):
            raise ReadError("not an e-mail message (no From or Subject header)")
        subject = _header(message, "Subject") or source.name.rsplit(".", 1)[0]
        sender = _header(message, "From")
        date = _date(message)
        split = split_footer(_body(message))
        header_lines = [f"From: {sender}" if sender else "", f"Subject: {subject}"]
        text = "\n".join(line for line in header_lines if line) + "\n\n" + split.body
        # A byline in the body (a forwarded article, a newsletter) names who wrote the content
        # and when it was published: it wins over the sender and the sending date.
        found = head_metadata(split.body, split.footer)
        found.title = None
        headers = {"title": subject, "author": _person(sender), "date": date}
        metadata = merge(headers, found, text_wins=("author", "date"))
        yield source.document(text.strip(), self.format, **metadata)
        for number, part in enumerate(message.iter_attachments(), start=1):
            yield from self._attachment(source, part, number, subject, date)

    def _attachment(self, message_source: Source, part, number: int, subject: str, date):
        name = part.get_filename() or f"attachment-{number}"
        try:
            data = part.get_payload(decode=True) or b""
            identity = part_identity(message_source.identity, f"attachment-{number}")
            nested = Source.from_bytes(name, identity, data, message_source.max_bytes)
            for item in self._read_nested(nested):
                if isinstance(item, Document):
                    item.parent_identity = message_source.identity
                    item.path = message_source.shown_path
                    if not item.date and date:
                        item.date, item.provenance["date"] = date, "file"
                    item.title, item.provenance["title"] = f"{name} — attachment to “{subject}”", "file"
                yield item
        except ReadError as error:
            yield RecordError(f"attachment {number} ({name})", error.message)


def _header(message: EmailMessage, name: str) -> str | None:
    value = message[name]
    return str(value).strip() or None if value is not None else None


def _person(sender: str | None) -> str | None:
    """`Graham Oduya` for `Graham Oduya <g.oduya@corvane-maritime.example>`; the address alone
    when there is no name."""
    if not sender:
        return None
    name, address = parseaddr(sender)
    return name.strip() or address or sender


def _date(message: EmailMessage) -> str | None:
    raw = message["Date"]
    if not raw:
        return None
    try:
        return iso_date(parsedate_to_datetime(str(raw)))
    except (TypeError, ValueError):
        return iso_date(str(raw))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know (or a misspelt one)
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        import trafilatura

        check_markup(content)
        content = trafilatura.extract(content) or ""
    return content.replace("\r\n", "\n").strip()
