"""SciFact-long: SciFact's claims rewritten as long questions by a fixed rule, same corpus and qrels.

SciFact's queries are short claims (median 88 characters). An analyst more often types a question
with framing around it. This rewrites each claim deterministically (no model, no randomness):

1. the claim loses its final full stop, and its first letter is lowercased unless the first word
   is an acronym or a symbol (`ALDH1`, `p53`, `β-catenin` keep their form);
2. it is set into the first of these frames whose result is 250-350 characters long, or, when none
   is, the frame whose result is closest to 300 characters:
   - A: "What evidence is there that {c}? Which studies discuss whether {c}, and what do they report?"
   - B: "What evidence is there that {c}? Which studies discuss whether {c}, and what do their
     results, methods and study populations tell us about whether this really holds?"
   - C: "I am looking for published research on the following question. What evidence is there
     that {c}? Which studies discuss it, and what did they find?"
   A and B repeat the claim (as a person restating a question does); C carries it once (long
   claims). The framing words (evidence, studies, discuss, report, results, methods, research,
   published, question, find) are common in the corpus: they are what a long question adds.

    python -m bench.long_queries [--beir ../shared/data/beir-scifact] OUT_DIR

writes OUT_DIR/queries.jsonl (same ids), OUT_DIR/qrels/{train,test}.tsv (copied) and
OUT_DIR/corpus.jsonl (a symbolic link to SciFact's, so an archive that ingested SciFact is reused).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bench.run import DEFAULT_DATA_ROOT

DEFAULT_BEIR = DEFAULT_DATA_ROOT / "beir-scifact"
FRAMES = (
    "What evidence is there that {c}? Which studies discuss whether {c}, and what do they report?",
    "What evidence is there that {c}? Which studies discuss whether {c}, and what do their results, "
    "methods and study populations tell us about whether this really holds?",
    "I am looking for published research on the following question. What evidence is there that {c}? "
    "Which studies discuss it, and what did they find?",
)
SHORTEST, LONGEST, TARGET = 250, 350, 300


def clause(claim: str) -> str:
    """The claim as a clause inside a question: no final full stop, first letter lowercased
    unless the first word is an acronym, a gene name with digits, or starts with a non-letter."""
    text = " ".join(claim.split()).rstrip(".").rstrip()
    first = text.split(" ", 1)[0]
    keeps_case = (
        not first[:1].isalpha() or any(ch.isdigit() for ch in first) or sum(ch.isupper() for ch in first) > 1
    )
    return text if keeps_case else text[:1].lower() + text[1:]


def long_question(claim: str) -> str:
    candidates = [frame.format(c=clause(claim)) for frame in FRAMES]
    for candidate in candidates:
        if SHORTEST <= len(candidate) <= LONGEST:
            return candidate
    return min(candidates, key=lambda candidate: abs(len(candidate) - TARGET))


def convert(beir: Path, out: Path) -> dict[str, float]:
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    lengths = []
    with (
        open(beir / "queries.jsonl", encoding="utf-8") as source,
        open(out / "queries.jsonl", "w", encoding="utf-8") as target,
    ):
        for line in source:
            if line.strip():
                record = json.loads(line)
                text = long_question(record["text"])
                lengths.append(len(text))
                target.write(json.dumps({"_id": record["_id"], "text": text}) + "\n")
    for split in ("train", "test"):
        if (beir / "qrels" / f"{split}.tsv").is_file():
            shutil.copyfile(beir / "qrels" / f"{split}.tsv", out / "qrels" / f"{split}.tsv")
    link = out / "corpus.jsonl"
    if not link.exists():
        link.symlink_to((beir / "corpus.jsonl").resolve())
    lengths.sort()
    return {
        "queries": len(lengths),
        "median_chars": lengths[len(lengths) // 2],
        "min": lengths[0],
        "max": lengths[-1],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    args = parser.parse_args(argv)
    print(convert(args.beir, args.out))


if __name__ == "__main__":
    main()
