"""One results page never shows a sentence of a document twice.

Chunks overlap (the last sentences of one are the first of the next), so two passages of one
document can repeat sentences; a PDF repeats its running header on every page. A later passage
loses the part an earlier one already shows, and never quotes a sentence already quoted. It is
dropped when nothing new is left, or when what explained it (its quote) was already shown and
no other highlighted sentence remains to quote instead.
"""

from __future__ import annotations

from archive.citations import keyword_quote, one_line


def trim_repeats(passages: list[dict]) -> list[dict]:
    """The passages of one document (best first), each without the text an earlier one shows."""
    shown: list[tuple[int, int]] = []
    quoted: set[str] = set()
    kept = []
    for passage in passages:
        start, end = passage["start"], passage["end"]
        for a, b in sorted(shown):
            if b <= start or end <= a:
                continue
            if a <= start or (a > start and b < end and end - b >= a - start):
                start = max(start, b)
            else:
                end = min(end, a)
        trimmed = _cut(passage, start, end, quoted)
        if trimmed is not None:
            kept.append(trimmed)
            shown.append((trimmed["start"], trimmed["end"]))
            a, b = trimmed["quote_span"]
            quoted.add(one_line(trimmed["text"][a:b]))
    return kept


def _cut(passage: dict, start: int, end: int, quoted: set[str]) -> dict | None:
    """`passage` narrowed to [start, end) of the document (white space trimmed), quoting a
    sentence not yet `quoted`; or None."""
    text = passage["text"][max(0, start - passage["start"]) : max(0, end - passage["start"])]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    if not text:
        return None
    offset = start - passage["start"] + lead
    inside = [
        [a - offset, b - offset] for a, b in passage["highlights"] if a >= offset and b <= offset + len(text)
    ]
    quote = passage.get("quote_span")
    if quote and quote[0] >= offset and quote[1] <= offset + len(text):
        quote = [quote[0] - offset, quote[1] - offset]
        if one_line(text[quote[0] : quote[1]]) in quoted:
            quote = None
    else:
        quote = None
    if quote is None:
        if passage["scores"].get("keyword") is None or not inside:
            return None  # found by meaning for a sentence already shown, or by words already shown
        quote = keyword_quote(text, inside, quoted)
        if quote is None:
            return None
    return {
        **passage,
        "text": text,
        "start": passage["start"] + offset,
        "end": passage["start"] + offset + len(text),
        "highlights": inside,
        "quote_span": list(quote),
    }
