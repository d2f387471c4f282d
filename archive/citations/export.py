"""Export search results for reference managers and reports: one record per document, its
quoted passages (quote, page and paragraph, link) in the record's notes.

CSL-JSON is plain JSON (Zotero, Mendeley, pandoc); RIS is written by `rispy` and BibTeX by
`bibtexparser` (LaTeX-escaped); `text` and `markdown` are the passages' citations one after another.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

import bibtexparser
import rispy
from anyascii import anyascii
from bibtexparser import model
from pylatexenc.latexencode import UnicodeToLatexEncoder

FORMATS = ("text", "markdown", "csl-json", "ris", "bibtex")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
EXTENSIONS = {"text": "txt", "markdown": "md", "csl-json": "json", "ris": "ris", "bibtex": "bib"}
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\band\b|&)\s*")
_LATEX = UnicodeToLatexEncoder(unknown_char_policy="keep", replacement_latex_protection="braces")
_VERBATIM_FIELDS = ("url", "urldate", "date", "year", "author")  # a URL is no LaTeX; names: below
_ORGANISATION_WORDS = frozenset(
    """agency associated bureau center centre committee council department desk foundation group
    institute intelligence international media ministry network news office post press reuters
    service services staff team times watch""".split()
)
_PERSON = re.compile(r"^[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){1,3}$")


def export(results: Iterable[dict], fmt: str) -> str:
    """Search results (documents with cited passages) in one of FORMATS."""
    results = list(results)
    if fmt == "text":
        return "\n\n".join(p["citation"]["text"] for r in results for p in r["passages"]) + "\n"
    if fmt == "markdown":
        return "\n\n".join(p["citation"]["markdown"] for r in results for p in r["passages"]) + "\n"
    records = [record(result) for result in results]
    if fmt == "csl-json":
        return json.dumps([csl_item(r) for r in records], indent=2, ensure_ascii=False) + "\n"
    if fmt == "ris":
        return rispy.dumps([ris_entry(r) for r in records])
    if fmt == "bibtex":
        return bibtex(records)
    raise ValueError(f"unknown citation format {fmt!r}: use one of {', '.join(FORMATS)}")


def record(result: dict) -> dict:
    """The fields every format writes, from one search result."""
    document = result["document"]
    citations = [p["citation"] for p in result["passages"]]
    first = citations[0] if citations else {}
    return {
        "id": document["id"],
        "title": document.get("title") or first.get("file") or document["id"],
        "source": document.get("source"),
        "authors": [a for a in _AUTHOR_SPLIT.split(document.get("author") or "") if a],
        "date": document.get("date"),
        "url": document.get("url") or None,
        "link": first.get("link", "").split("?")[0] or None,
        "accessed": first.get("accessed"),
        "notes": [
            f"\u201c{c['quote']}\u201d ({c['location'] or 'no location'}) {c['link']}" for c in citations
        ],
        "tags": document.get("tags") or [],
    }


def person(name: str) -> tuple[str, str] | None:
    """(family, given) of a person's name written "Given Family"; None for anything else."""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return (family, given) if family and given else None
    if not _PERSON.match(name) or _ORGANISATION_WORDS & set(name.lower().split()):
        return None
    given, family = name.rsplit(" ", 1)
    return family, given


def _date_parts(iso: str | None) -> list[int]:
    return [int(part) for part in iso.split("-")] if iso else []


def csl_item(rec: dict) -> dict:
    item: dict = {"id": rec["id"], "type": "webpage" if rec["url"] else "document", "title": rec["title"]}
    if rec["source"]:
        item["container-title"] = rec["source"]
    if rec["authors"]:
        item["author"] = [
            {"family": n[0], "given": n[1]} if (n := person(a)) else {"literal": a} for a in rec["authors"]
        ]
    if rec["date"]:
        item["issued"] = {"date-parts": [_date_parts(rec["date"])]}
    if rec["accessed"]:
        item["accessed"] = {"date-parts": [_date_parts(rec["accessed"])]}
    item["URL"] = rec["url"] or rec["link"]
    if rec["link"]:
        item["archive_location"] = rec["link"]
    if rec["tags"]:
        item["keyword"] = ", ".join(rec["tags"])
    item["note"] = "\n".join(rec["notes"])
    return item


def ris_entry(rec: dict) -> dict:
    entry: dict = {
        "type_of_reference": "ELEC" if rec["url"] else "GEN",
        "id": rec["id"],
        "title": rec["title"],
    }
    if rec["authors"]:
        entry["authors"] = [", ".join(n) if (n := person(a)) else a for a in rec["authors"]]
    if rec["source"]:
        entry["secondary_title"] = rec["source"]
    if rec["date"]:
        entry["date"] = rec["date"].replace("-", "/")
        entry["year"] = rec["date"][:4]
    if rec["accessed"]:
        entry["access_date"] = rec["accessed"].replace("-", "/")
    entry["urls"] = [u for u in (rec["url"], rec["link"]) if u]
    if rec["tags"]:
        entry["keywords"] = list(rec["tags"])
    entry["notes"] = rec["notes"]
    return entry


def bibtex(records: list[dict]) -> str:
    library = bibtexparser.Library()
    keys: set[str] = set()
    for rec in records:
        library.add(model.Entry("misc", _unique_key(rec, keys), _bibtex_fields(rec)))
    return bibtexparser.write_string(library)


def _bibtex_fields(rec: dict) -> list[model.Field]:
    values = {
        "title": rec["title"],
        "author": " and ".join(
            _latex(", ".join(n)) if (n := person(a)) else "{" + _latex(a) + "}" for a in rec["authors"]
        ),
        "howpublished": rec["source"],
        "date": rec["date"],
        "year": rec["date"][:4] if rec["date"] else None,
        "url": rec["url"] or rec["link"],
        "urldate": rec["accessed"],
        "keywords": ", ".join(rec["tags"]),
        "note": "\n".join(rec["notes"]),
    }
    return [
        model.Field(key, value if key in _VERBATIM_FIELDS else _latex(value))
        for key, value in values.items()
        if value
    ]


def _latex(text: str) -> str:
    """LaTeX for `text`; a character without a LaTeX spelling stays as UTF-8 (pylatexenc logs
    a warning for each, which says nothing useful to the user here)."""
    logger = logging.getLogger("pylatexenc")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return _LATEX.unicode_to_latex(text)
    finally:
        logger.setLevel(level)


def _unique_key(rec: dict, taken: set[str]) -> str:
    """`raman2026iran`: first author's family name (or the source), year, first title word."""
    names = [person(a) for a in rec["authors"]]
    lead = names[0][0] if names and names[0] else (rec["authors"] or [rec["source"] or "archive"])[0]
    words = [
        w for w in re.findall(r"[a-z0-9]+", anyascii(rec["title"]).lower().replace("'", "")) if len(w) > 3
    ]
    base = (
        re.sub(r"[^a-z0-9]", "", anyascii(lead).lower())[:20]
        + (rec["date"] or "")[:4]
        + (words[0] if words else "")
    )
    key, suffix = base or "doc", ord("a")
    while key in taken:
        key, suffix = base + chr(suffix), suffix + 1
    taken.add(key)
    return key
