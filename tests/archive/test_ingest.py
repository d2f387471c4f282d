"""Ingest with the real model and real indexes: skipping, replacing, failures, deletes, rebuilds."""

from __future__ import annotations

import os

import numpy as np
import pytest

from archive import operations
from archive.errors import ArchiveBusy
from archive.search import SearchRequest, SearchService
from archive.store import Archive
from tests.conftest import ingest
from tests.filebuilders import NEWS_HTML, write_docx, write_eml, write_jsonl, write_pdf, write_wire_feed


def build_folder(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "velmora.txt").write_text(
        "Velmora reservoir briefing\n\nEngineers opened the spillway gates at dawn on 14 March, "
        "releasing water toward the delta farms downstream.\n",
        encoding="utf-8",
    )
    (folder / "brief.md").write_text(
        "# Strait brief\n\nThe tanker Delphine Arrow was seized in the Tamar Narrows by a boarding party.\n",
        encoding="utf-8",
    )
    (folder / "page.html").write_text(NEWS_HTML, encoding="utf-8")
    write_pdf(
        folder / "report.pdf",
        [
            "Page one covers displacement from Bayt Qurun.",
            "Page two covers cholera cases among the displaced.",
        ],
        title="Field report",
    )
    write_docx(
        folder / "readout.docx",
        ["Proximity talks in Kelvand ended without agreement."],
        title="Talks readout",
    )
    write_eml(
        folder / "memo.eml",
        "Premium update",
        "The war-risk premium doubled overnight.\n",
        attachment=("note.txt", b"Attachment: insurers cite the drone strike at Khor Daffa.", "text/plain"),
    )
    write_wire_feed(folder / "feed.jsonl")
    return folder


def snapshot(settings):
    with Archive(settings) as archive:
        docs = archive.catalog.db.execute("SELECT id, sha256, text FROM documents ORDER BY id").fetchall()
        chunks = archive.catalog.db.execute("SELECT id, doc_id, text FROM chunks ORDER BY id").fetchall()
        return (
            [tuple(d) for d in docs],
            [tuple(c) for c in chunks],
            sorted(archive.keyword.ids()),
            sorted(archive.vector.ids().tolist()),
        )


def top_title(settings, query, mode="hybrid"):
    with Archive(settings) as archive:
        response = SearchService(archive).search(SearchRequest(query=query, mode=mode, k=3))
    return [r["document"]["title"] for r in response["results"]]


def test_every_format_is_ingested_and_searchable(tmp_path, settings):
    report = ingest(settings, build_folder(tmp_path / "in"))
    assert report.failed == []
    assert report.files == 7 and report.documents == 9  # e-mail attachment and two JSONL records
    docs, chunks, keyword_ids, vector_ids = snapshot(settings)
    assert len(docs) == 9
    assert keyword_ids == vector_ids == sorted(c[0] for c in chunks)
    assert "Field report" in top_title(settings, "cholera among the displaced", "keyword")
    assert "Salinity rises" in top_title(settings, "grams per litre salinity", "keyword")
    assert any("note.txt" in t for t in top_title(settings, "Khor Daffa drone strike", "keyword"))


def test_rerun_skips_everything_and_embeds_nothing(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    ingest(settings, folder)
    before = snapshot(settings)
    os.utime(folder / "velmora.txt", (1, 1))  # touched, same content: hashed, still unchanged
    report = ingest(settings, folder)
    assert (report.unchanged, report.ingested, report.embedded, report.documents) == (7, 0, 0, 0)
    assert snapshot(settings) == before


def test_changed_file_reembeds_only_itself_and_replaces_its_chunks(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    ingest(settings, folder)
    docs_before, chunks_before, _, _ = snapshot(settings)
    (folder / "velmora.txt").write_text(
        "Velmora reservoir briefing\n\nThe gates stayed shut; farmers protested in Bayt Qurun instead.\n",
        encoding="utf-8",
    )
    report = ingest(settings, folder)
    assert (report.ingested, report.unchanged, report.documents) == (1, 6, 1)
    docs, chunks, keyword_ids, vector_ids = snapshot(settings)
    changed = [c for c in chunks if c not in chunks_before]
    assert report.embedded == len(changed) >= 1
    assert all("gates stayed shut" in c[2] or "Velmora" in c[2] for c in changed)
    assert keyword_ids == vector_ids == sorted(c[0] for c in chunks)
    assert len(docs) == len(docs_before)
    assert top_title(settings, "spillway gates at dawn", "keyword") != ["Velmora reservoir briefing"]


def test_record_removed_from_jsonl_is_removed_from_the_archive(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    ingest(settings, folder)
    write_jsonl(
        folder / "feed.jsonl",
        [{"id": "w1", "title": "Salinity rises", "text": "Salinity in the delta rose to 4 grams per litre."}],
    )
    report = ingest(settings, folder)
    assert (report.removed, report.embedded) == (1, 0)
    assert "Desalination plant" not in top_title(settings, "desalination Ras Numan", "keyword")


def test_bad_files_are_reported_and_nothing_else_changes(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    ingest(settings, folder)
    before = snapshot(settings)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\x01")
    (bad / "program.exe").write_bytes(b"MZ\x90\x00\x03" + bytes(range(256)) * 64)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "good.txt").write_text("Ras Numan harbour reopened after the storm.", encoding="utf-8")
    report = ingest(settings, bad)
    reasons = dict((os.path.basename(p), r) for p, r in report.failed)
    assert set(reasons) == {"corrupt.pdf", "program.exe", "empty.txt"}
    assert "PDF" in reasons["corrupt.pdf"] and "empty" in reasons["empty.txt"]
    assert "binary" in reasons["program.exe"] or "unsupported" in reasons["program.exe"]
    assert report.exit_code == 1 and report.ingested == 1
    docs, chunks, keyword_ids, vector_ids = snapshot(settings)
    assert set(before[0]) <= set(docs) and set(before[1]) <= set(chunks)
    assert "Ras Numan harbour reopened after the storm." in top_title(settings, "harbour reopened", "keyword")
    with Archive(settings) as archive:
        assert archive.catalog.counts()["failed_files"] == 3


def test_retry_failed_redoes_only_failed_files(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    (folder / "later.txt").write_bytes(b"")
    assert len(ingest(settings, folder).failed) == 1
    (folder / "later.txt").write_text("Fixed: the envoy's statement on the strait.", encoding="utf-8")
    report = ingest(settings, retry_failed=True)
    assert (report.files, report.ingested, report.failed) == (1, 1, [])


def test_exact_duplicate_is_skipped_without_embedding(tmp_path, settings):
    folder = build_folder(tmp_path / "in")
    ingest(settings, folder)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "same.txt").write_bytes((folder / "velmora.txt").read_bytes())
    report = ingest(settings, copy)
    assert (report.duplicates, report.embedded, report.documents) == (1, 0, 0)


def test_delete_removes_document_from_catalog_and_both_indexes(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings) as archive:
        doc = next(d for d in operations.list_documents(archive)["documents"] if d["format"] == "email")
        doomed = {c["id"] for c in archive.catalog.chunks_of(doc["id"])}
        doomed |= {
            c["id"]
            for child in archive.catalog.children(doc["id"])
            for c in archive.catalog.chunks_of(child["id"])
        }
    with Archive(settings, write=True) as archive:
        operations.delete(archive, [doc["id"]])
    docs, chunks, keyword_ids, vector_ids = snapshot(settings)
    assert len(docs) == 7  # the message and its attachment are gone
    assert not doomed & set(keyword_ids) and not doomed & set(vector_ids)
    assert keyword_ids == vector_ids == sorted(c[0] for c in chunks)


def test_reindex_gives_the_same_results(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    queries = ["spillway gates", "who seized the tanker?", "premium doubled", "cholera"]

    def results():
        with Archive(settings) as archive:
            service = SearchService(archive)
            return [
                [
                    (r["document"]["id"], r["score"])
                    for r in service.search(SearchRequest(query=q, mode=m, k=5))["results"]
                ]
                for q in queries
                for m in ("keyword", "semantic", "hybrid")
            ]

    before = results()
    with Archive(settings, write=True) as archive:
        result = operations.reindex(archive)
    assert result["generation"] == 2
    assert results() == before
    assert not (settings.data_dir / "indexes" / "gen-0001").exists()


def test_second_writer_is_told_an_ingest_is_running(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings, write=True), pytest.raises(ArchiveBusy, match="another process is writing"):
        Archive(settings, write=True)


def test_every_chunk_is_stored_with_its_sentences_and_title_vectors(corpus_archive):
    """What the semantic side reads back: one vector per sentence, at the sentence's offsets in the
    chunk, and the document's title, each as the model embeds it alone."""
    from archive.chunking import sentence_spans
    from archive.store import SENTENCE_MAX_TOKENS

    catalog, embedder = corpus_archive.catalog, corpus_archive.embedder
    rows = catalog.db.execute(
        "SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
    ).fetchall()
    stored = catalog.sentence_vectors([row["id"] for row in rows], embedder.dimension)
    assert set(stored) == {row["id"] for row in rows}
    for row in rows[::15]:  # a sample: every 15th chunk
        block = stored[row["id"]]
        spans = sentence_spans(row["text"])
        assert block.spans.tolist() == [list(span) for span in spans]
        fresh = embedder.embed([row["text"][a:b] for a, b in spans], max_tokens=SENTENCE_MAX_TOKENS)
        cosines = np.sum(fresh * block.vectors.astype(np.float32), axis=1)
        assert cosines.min() > 0.99, (row["id"], cosines)
        title = embedder.embed([row["title"]], max_tokens=SENTENCE_MAX_TOKENS)[0]
        assert float(title @ block.title.astype(np.float32)) > 0.99
