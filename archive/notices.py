"""Notices: what a search did that the user did not literally ask for, said in words, with the
data a page needs to offer the way back (`code` is stable, for programs to match on)."""

from __future__ import annotations

import re

from indexer.analysis import analyze

Notice = dict  # {"code": str, "message": str, ...data}
MAX_SURFACES = 4


def notice(code: str, message: str, **data) -> Notice:
    return {"code": code, "message": message, **data}


def spelling_notices(groups: list[tuple[str, list[str]]], query: str, results: list[dict]) -> list[Notice]:
    """One notice per name widened to spelling variants: "Also matched Qaani, Qa'ani for Ghaani".

    Variants are named as they are written in the shown passages where they appear there
    (the index holds folded terms: `qaani` for both Qaani and Qa'ani)."""
    if not groups:
        return []
    written = _written_forms(results)
    typed = _written_forms_of_query(query)
    notices = []
    for asked, variants in groups:
        forms: list[str] = []
        for variant in variants:
            for form in written.get(variant, [variant]):
                if form not in forms:
                    forms.append(form)
        shown = ", ".join(forms[:MAX_SURFACES]) + (", …" if len(forms) > MAX_SURFACES else "")
        word = typed.get(asked, asked)
        notices.append(
            notice(
                "spelling_variants",
                f"Also matched {shown} for {word} (spelling variants).",
                term=word,
                variants=forms,
            )
        )
    return notices


def _written_forms(results: list[dict]) -> dict[str, list[str]]:
    """{index term: the ways the highlighted words that give it are written}."""
    forms: dict[str, list[str]] = {}
    for result in results:
        for passage in result["passages"]:
            for start, end in passage["highlights"]:
                surface = passage["text"][start:end]
                terms = analyze(surface)
                if len(terms) == 1 and surface not in forms.setdefault(terms[0][0], []):
                    forms[terms[0][0]].append(surface)  # a word, not a sentence found by meaning
    return forms


def _written_forms_of_query(query: str) -> dict[str, str]:
    forms: dict[str, str] = {}
    for word in re.findall(r"[^\s\"()]+", query):
        for term, _, _ in analyze(word, mode="query"):
            forms.setdefault(term, word)
    return forms


def page_notices(offset: int, k: int, matched: int, weak: int) -> list[Notice]:
    """No match but weak ones; a page that starts past the last match, and where the last page starts."""
    if not matched and weak and offset == 0:
        return [
            notice(
                "no_match",
                "Nothing matches well enough: the closest documents by meaning are listed apart, as weak.",
            )
        ]
    if offset == 0 or offset < matched:
        return []
    if not matched:
        return [notice("page_past_end", "This page is past the end: nothing matches.", last_offset=0)]
    last_offset = (matched - 1) // k * k
    plural = "s" if matched != 1 else ""
    return [
        notice(
            "page_past_end",
            f"This page is past the end of the results: {matched} document{plural} match, the last "
            f"of them from result {last_offset + 1}.",
            last_offset=last_offset,
        )
    ]
