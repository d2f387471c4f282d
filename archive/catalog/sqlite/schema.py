"""The catalog's schema as numbered migrations; `PRAGMA user_version` records the applied one.

Chunk ids come from AUTOINCREMENT, so an id is never reused: an index entry left over from a
deleted chunk can never point at a different passage.
"""

MIGRATIONS: list[str] = [
    # 1: documents, chunks, embeddings, the index outbox, files, runs, failures, meta
    """
    CREATE TABLE documents (
        id          TEXT PRIMARY KEY,
        identity    TEXT NOT NULL UNIQUE,
        parent_id   TEXT REFERENCES documents(id) ON DELETE CASCADE,
        external_id TEXT,
        title       TEXT NOT NULL DEFAULT '',
        source      TEXT,
        author      TEXT,
        date        TEXT,
        url         TEXT,
        path        TEXT,
        format      TEXT NOT NULL,
        language    TEXT,
        size        INTEGER NOT NULL DEFAULT 0,
        sha256      TEXT NOT NULL,
        tags        TEXT NOT NULL DEFAULT '[]',
        text        TEXT NOT NULL,
        pages       TEXT,
        file_path   TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_sha256 ON documents(sha256);
    CREATE INDEX documents_file_path ON documents(file_path);
    CREATE INDEX documents_parent ON documents(parent_id);

    CREATE TABLE chunks (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal   INTEGER NOT NULL,
        start     INTEGER NOT NULL,
        "end"     INTEGER NOT NULL,
        page      INTEGER,
        paragraph INTEGER,
        text      TEXT NOT NULL,
        UNIQUE (doc_id, ordinal)
    );

    CREATE TABLE embeddings (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        vector   BLOB NOT NULL
    );

    -- Outbox: chunk ids whose index entries must be made to match the catalog.
    CREATE TABLE index_queue (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id INTEGER NOT NULL
    );

    CREATE TABLE files (
        path       TEXT PRIMARY KEY,
        size       INTEGER,
        mtime_ns   INTEGER,
        sha256     TEXT,
        status     TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'duplicate')),
        reason     TEXT,
        run_id     INTEGER,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX files_status ON files(status);

    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        command     TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL DEFAULT 'running',
        summary     TEXT
    );

    CREATE TABLE failures (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        path   TEXT NOT NULL,
        reason TEXT NOT NULL,
        at     TEXT NOT NULL
    );

    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: one vector per sentence of each chunk (scoring by the best sentence, semantic highlights)
    """
    CREATE TABLE sentence_vectors (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        spans    BLOB NOT NULL,
        vectors  BLOB NOT NULL,
        title    BLOB
    );
    """,
    # 3: the original each document came from: the sha256 of its file as ingested, and whether a
    # copy is kept in DATA/originals (archive/originals.py). Documents ingested before get the
    # hash their file had then, so a file changed since is never served as their original.
    """
    ALTER TABLE documents ADD COLUMN original_sha256 TEXT;
    ALTER TABLE documents ADD COLUMN original_copy INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX documents_original ON documents(original_sha256);
    UPDATE documents SET original_sha256 = (
        SELECT f.sha256 FROM files f WHERE f.path = documents.file_path AND f.status = 'ok'
    ) WHERE file_path IS NOT NULL;
    """,
    # 4: where each metadata field came from, and the history of edits
    """
    ALTER TABLE documents ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';

    CREATE TABLE edits (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        field     TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        who       TEXT NOT NULL,
        at        TEXT NOT NULL
    );
    CREATE INDEX edits_doc ON edits(doc_id, id);
    """,
    # 5: how far each index has applied the outbox (recorded after the index committed; before,
    # a state file beside each index held it: `archive.store` reads those once, as a migration)
    """
    CREATE TABLE IF NOT EXISTS index_progress (
        name       TEXT PRIMARY KEY,
        generation INTEGER NOT NULL,
        seq        INTEGER NOT NULL
    );
    """,
]
