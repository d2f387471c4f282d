"""SciFact end to end: ingest throughput against the raw embedding throughput of the same chunks.

`python -m bench.scifact_ingest` ingests the whole BEIR SciFact corpus (5,183 abstracts) into a fresh
archive under bench/work/scifact-ingest/, in two rounds of ingest then raw embedding (the same code
as `bench.run`'s ingest figure, on this corpus), then prints the figures with the archive's index
sizes and writes them to bench/scifact_ingest.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import reuters
from bench.run import DEFAULT_DATA_ROOT, ROOT, WORK, Scale, log, measure_ingest

OUT = ROOT / "bench" / "scifact_ingest.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    from archive.config import Settings
    from archive.operations import stats
    from archive.store import Archive

    corpus = args.data_root / "beir-scifact" / "corpus.jsonl"
    if not corpus.is_file():
        raise SystemExit(f"BEIR SciFact not found: expected {corpus}")
    records = reuters.read_jsonl(corpus)
    scale = Scale("scifact-ingest", 10**9, args.rounds, (), 0, 0, 0, 0, 0, None, 0)
    settings = Settings.from_env(WORK / scale.name / "archive")
    result, _ = measure_ingest(scale, records, settings)
    with Archive(settings) as archive:
        result["stats"] = stats(archive)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    log(
        f"SciFact: {result['documents']} documents, {result['chunks']} chunks; ingest "
        f"{result['ingest']['docs_per_s']} docs/s, {result['ingest']['chunks_per_s']} chunks/s; "
        f"raw embedding {result['raw_embedding']['chunks_per_s']} chunks/s; ratio {result['ratio']} "
        f"(CPU-time ratio {result['ratio_cpu']}); wrote {OUT.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
