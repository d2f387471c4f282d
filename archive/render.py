"""Plain-text rendering for the terminal: search results, documents, ingest reports, progress."""

from __future__ import annotations

import re
import sys

import click
from tqdm import tqdm

SNIPPET_WORDS = 50


def snippet(
    text: str, spans: list[list[int]], words: int = SNIPPET_WORDS, focus: list[int] | None = None
) -> tuple[str, list[list[int]]]:
    """A window of about `words` words, spans shifted into it: from the start of `focus` (the
    quoted sentence, so the snippet shows what the citation quotes), else around the first
    highlight."""
    tokens = list(re.finditer(r"\S+", text))
    if len(tokens) <= words:
        return text, spans
    first = focus[0] if focus else spans[0][0] if spans else 0
    index = next((i for i, t in enumerate(tokens) if t.end() > first), 0)
    lead = 0 if focus else words // 4
    start_token = max(0, min(index - lead, len(tokens) - words))
    start = tokens[start_token].start()
    end = tokens[min(len(tokens), start_token + words) - 1].end()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [
        [a - start + len(prefix), b - start + len(prefix)] for a, b in spans if a >= start and b <= end
    ]
    return prefix + text[start:end] + suffix, shifted


def emphasise(text: str, spans: list[list[int]], color: bool) -> str:
    out, position = [], 0
    for start, end in spans:
        out.append(text[position:start])
        word = text[start:end]
        out.append(click.style(word, bold=True, fg="yellow") if color else f"**{word}**")
        position = end
    out.append(text[position:])
    return " ".join("".join(out).split())


def citation_line(document: dict, passage: dict) -> str:
    citation = passage["citation"]
    parts = [
        document.get("source"),
        document.get("author"),
        document.get("date"),
        citation["location"],
        citation["url"] or citation.get("file"),
    ]
    return " · ".join(str(p) for p in parts if p)


def search_results(response: dict, color: bool) -> str:
    lines = []
    for notice in response.get("notices", []):
        lines.append(f"note: {notice}")
    shown = len(response["results"])
    lines.append(
        f"{response['total']} document(s) for {response['query']!r} ({response['mode']}, "
        f"{response['took_ms']:.0f} ms); showing {response['offset'] + 1 if shown else 0}"
        f"-{response['offset'] + shown}"
    )
    for rank, result in enumerate(response["results"], start=response["offset"] + 1):
        document = result["document"]
        title = document["title"] or document["id"]
        lines.append("")
        lines.append(
            f"{rank:>2}. {click.style(title, bold=True) if color else title}  "
            f"[{document['id']}]  score {result['score']:.4f}"
        )
        for passage in result["passages"]:
            lines.append(f"    {citation_line(document, passage)}")
            text, spans = snippet(passage["text"], passage["highlights"], focus=passage.get("quote_span"))
            lines.append(f"    {emphasise(text, spans, color)}")
    return "\n".join(lines)


def document_text(document: dict, chunks: list[dict], children: list[dict]) -> str:
    fields = "id title source author date url path format language size sha256 tags external_id ingested_at"
    shown = [name for name in fields.split() if document.get(name) not in (None, "", [])]
    lines = [f"{name:>12}: {document.get(name)}" for name in shown]
    lines.append(f"{'chunks':>12}: {len(chunks)}")
    for child in children:
        lines.append(f"{'attachment':>12}: {child['id']}  {child['title']}")
    lines.append("")
    lines.append(document.get("text", ""))
    return "\n".join(lines)


def ingest_report(report: dict) -> str:
    lines = [
        f"{report['files']} file(s): {report['ingested']} ingested, {report['unchanged']} unchanged, "
        f"{report['duplicates']} duplicate(s), {len(report['failed'])} failed, "
        f"{len(report.get('skipped', []))} skipped; "
        f"{report['documents']} document(s) and {report['chunks']} chunk(s) written, "
        f"{report['embedded']} embedded, {report['removed']} removed, in {report['seconds']:.1f} s"
    ]
    if report["failed"]:
        lines.append("failed:")
        lines += [f"  {item['path']!r}: {item['reason']}" for item in report["failed"]]
    if report.get("skipped"):
        lines.append("skipped (never ingested):")
        lines += [f"  {item['path']!r}: {item['reason']}" for item in report["skipped"]]
    if report.get("interrupted"):
        lines.append("interrupted: what was written is kept; run the same command again to finish")
    return "\n".join(lines)


class ProgressBar:
    """tqdm over files, with chunks per second beside it."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: tqdm | None = None
        self._chunks = 0

    def start(self, total_files: int) -> None:
        self._bar = tqdm(
            total=total_files,
            unit="file",
            disable=not self.enabled,
            dynamic_ncols=True,
            file=sys.stderr,
            smoothing=0.1,
        )

    def advance(self, files: float, chunks: int) -> None:
        if self._bar is None:
            return
        self._chunks += chunks
        elapsed = max(self._bar.format_dict["elapsed"], 1e-6)
        self._bar.set_postfix_str(
            f"{self._chunks} chunks, {self._chunks / elapsed:.1f} chunks/s", refresh=False
        )
        self._bar.update(files)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def check_report(report: dict) -> str:
    lines = [
        f"{report['documents']} documents, {report['chunks']} chunks; keyword index "
        f"{report['keyword']['indexed']}, vector index {report['vector']['indexed']} entries"
    ]
    if "repaired" in report:
        lines.append(f"repaired: {report['repaired']}")
    lines += [f"  - {finding}" for finding in report["findings"]]
    lines.append("ok: catalog and indexes agree" if report["ok"] else "NOT OK: run `archive check --repair`")
    return "\n".join(lines)
