"""The LISA test collection (library and information science abstracts) as a BEIR folder.

LISA (Peter Willett, Sheffield, 1982; distributed by the University of Glasgow IR group) has 6,004
abstracts, all in capitals, and 35 requests written as long letters ("I AM INTERESTED IN ...",
median about 300 characters) with binary relevance judgments. It is a long-question collection
that is not among those kept back for the final check (CISI, CACM, Cranfield, MED, NPL, TIME,
NFCorpus). The raw files come from the public repository zer01ike/Search_BM25 (folder `lisa/`):

    lisa.all.txt        "Document <id>", title lines, a blank line, the abstract, a row of '*'
    lisa.queries.txt    "<id>", the request's lines, ended by '#'
    lisa.relevance.txt  per query: id, count, then that many document ids (whitespace separated)

    python -m bench.lisa_beir RAW_DIR OUT_DIR [--first N]

`--first N` keeps the first N documents (in file order) and every judged document after them: a
smaller collection for a busy machine (ingest embeds every sentence; 6,000 abstracts take over an
hour here when the machine is shared). Judged documents are then over-represented, which makes the
task easier for every system alike; the archive and the baselines are always scored on the same
documents. docs/QUALITY.md says which collection each figure is from.

writes OUT_DIR/corpus.jsonl, queries.jsonl and qrels/test.tsv (all 35 queries: LISA has no train
split, so it is only ever scored, never tuned on). Text is kept as written (capitals included): an
analyst's archive of old catalogue records looks like this. Keep both folders outside the repository.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

_DOCUMENT = re.compile(r"^Document\s+(\d+)\s*$", re.MULTILINE)
_SEPARATOR = re.compile(r"^\*{10,}\s*$", re.MULTILINE)


def documents(text: str) -> list[dict]:
    """(id, title, text) records from lisa.all.txt."""
    records = []
    for block in _SEPARATOR.split(text):
        match = _DOCUMENT.search(block)
        if not match:
            continue
        title, abstract = _split(block[match.end() :].strip("\n"))
        records.append({"_id": match.group(1), "title": title, "text": abstract})
    return records


def queries(text: str) -> dict[str, str]:
    """Query id -> request text from lisa.queries.txt (each ended by '#')."""
    found = {}
    for block in text.split("#"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) >= 2 and lines[0].isdigit():
            found[lines[0]] = _join("\n".join(lines[1:]))
    return found


def relevance(text: str) -> dict[str, list[str]]:
    """Query id -> relevant document ids from lisa.relevance.txt (id, count, then the ids)."""
    numbers = text.split()
    judged: dict[str, list[str]] = {}
    position = 0
    while position + 1 < len(numbers):
        query, count = numbers[position], int(numbers[position + 1])
        judged[query] = numbers[position + 2 : position + 2 + count]
        position += 2 + count
    return judged


def _split(body: str) -> tuple[str, str]:
    """(title, abstract): the title ends at a blank line or, in the 216 records without one, at
    the first line ending with a full stop; a record with no abstract keeps its title as text."""
    title, _, abstract = body.partition("\n\n")
    if not abstract.strip():
        lines = body.splitlines()
        end = next((i + 1 for i, line in enumerate(lines) if line.rstrip().endswith(".")), len(lines))
        title, abstract = "\n".join(lines[:end]), "\n".join(lines[end:])
    return (_join(title), _join(abstract)) if abstract.strip() else ("", _join(title))


def _join(lines: str) -> str:
    return " ".join(lines.split())


def convert(raw: Path, out: Path, first: int | None = None) -> dict[str, int]:
    corpus = documents((raw / "lisa.all.txt").read_text(encoding="latin-1"))
    asked = queries((raw / "lisa.queries.txt").read_text(encoding="latin-1"))
    judged = relevance((raw / "lisa.relevance.txt").read_text(encoding="latin-1"))
    if first is not None:
        relevant = {doc for docs in judged.values() for doc in docs}
        corpus = [r for position, r in enumerate(corpus) if position < first or r["_id"] in relevant]
    known = {record["_id"] for record in corpus}
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for record in corpus:
            handle.write(json.dumps(record) + "\n")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query_id, text in asked.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    pairs = 0
    with open(out / "qrels" / "test.tsv", "w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, docs in judged.items():
            for doc in docs:
                if query_id in asked and doc in known:
                    handle.write(f"{query_id}\t{doc}\t1\n")
                    pairs += 1
    return {"documents": len(corpus), "queries": len(asked), "judgments": pairs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "raw", type=Path, help="folder holding lisa.all.txt, lisa.queries.txt, lisa.relevance.txt"
    )
    parser.add_argument("out", type=Path, help="BEIR folder to write")
    parser.add_argument("--first", type=int, help="keep the first N documents and every judged one")
    args = parser.parse_args(argv)
    print(convert(args.raw, args.out, args.first))


if __name__ == "__main__":
    main()
