using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel;

/// <summary>The schema of the SQLite database and its migrations, keyed on <c>PRAGMA user_version</c>.</summary>
/// <remarks>Append migrations; never edit one that has shipped. Timestamps are Unix milliseconds (UTC).</remarks>
internal static class SqliteSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        // 1: sessions, messages (with the indexing outbox), summaries, knowledge, model memory.
        """
        CREATE TABLE sessions (
            id             TEXT PRIMARY KEY,
            user_id        TEXT NULL,
            title          TEXT NULL,
            created_at     INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL,
            is_active      INTEGER NOT NULL DEFAULT 1,
            message_count  INTEGER NOT NULL DEFAULT 0,
            tokens_used    INTEGER NOT NULL DEFAULT 0,
            metadata       TEXT NULL
        );
        CREATE INDEX ix_sessions_user ON sessions(user_id, is_active, updated_at DESC);

        CREATE TABLE messages (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            response_id     TEXT NULL,
            role            TEXT NOT NULL,
            content         TEXT NOT NULL,
            contents_json   TEXT NULL,
            message_type    TEXT NOT NULL DEFAULT 'chat',
            created_at      INTEGER NOT NULL,
            token_count     INTEGER NOT NULL DEFAULT 0,
            is_trimmed      INTEGER NOT NULL DEFAULT 0,
            index_state     TEXT NOT NULL DEFAULT 'pending',
            index_attempts  INTEGER NOT NULL DEFAULT 0,
            index_error     TEXT NULL,
            index_retry_at  INTEGER NULL,
            metadata        TEXT NULL
        );
        CREATE INDEX ix_messages_session ON messages(session_id, id);
        CREATE INDEX ix_messages_outbox ON messages(index_state, id) WHERE index_state <> 'indexed';

        CREATE TABLE summaries (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id        TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            level             INTEGER NOT NULL,
            first_message_id  INTEGER NOT NULL,
            last_message_id   INTEGER NOT NULL,
            parent_id         INTEGER NULL,
            content           TEXT NOT NULL,
            token_count       INTEGER NOT NULL DEFAULT 0,
            created_at        INTEGER NOT NULL,
            superseded_at     INTEGER NULL
        );
        CREATE INDEX ix_summaries_session ON summaries(session_id, superseded_at, first_message_id);

        CREATE TABLE knowledge_entries (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id            TEXT NOT NULL,
            session_id         TEXT NULL,
            key                TEXT NOT NULL,
            value              TEXT NOT NULL,
            source_message_id  INTEGER NULL,
            confidence         REAL NOT NULL DEFAULT 1.0,
            valid_from         INTEGER NOT NULL,
            valid_to           INTEGER NULL,
            superseded_by      INTEGER NULL,
            created_at         INTEGER NOT NULL
        );
        CREATE INDEX ix_knowledge_user_key ON knowledge_entries(user_id, key, valid_to);
        CREATE UNIQUE INDEX ux_knowledge_current ON knowledge_entries(user_id, key) WHERE valid_to IS NULL;
        CREATE INDEX ix_knowledge_session ON knowledge_entries(session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE model_memory (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id     TEXT NOT NULL,
            content     TEXT NOT NULL,
            category    TEXT NULL,
            importance  REAL NOT NULL DEFAULT 0.5,
            source      TEXT NOT NULL DEFAULT 'model',
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            deleted_at  INTEGER NULL
        );
        CREATE INDEX ix_model_memory_user ON model_memory(user_id, deleted_at);
        """,

        // 2: the embedded memory index: items with scope keys, vectors as float32 BLOBs, FTS5 over the text, and a change
        // counter per (owner, collection) that triggers keep, so every process can tell whether its vector cache is stale.
        """
        CREATE TABLE memory_items (
            rowid       INTEGER PRIMARY KEY,
            collection  TEXT NOT NULL,
            user_id     TEXT NOT NULL,
            item_id     TEXT NOT NULL,
            session_id  TEXT NULL,
            type        TEXT NOT NULL,
            text        TEXT NOT NULL,
            vector      BLOB NULL,
            created_at  INTEGER NOT NULL,
            payload     TEXT NULL,
            UNIQUE (user_id, collection, item_id)
        );
        CREATE INDEX ix_memory_items_session ON memory_items(user_id, session_id);

        CREATE TABLE memory_versions (
            user_id     TEXT NOT NULL,
            collection  TEXT NOT NULL,
            version     INTEGER NOT NULL,
            PRIMARY KEY (user_id, collection)
        ) WITHOUT ROWID;

        CREATE VIRTUAL TABLE memory_fts USING fts5(
            text, content = 'memory_items', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2');
        CREATE TRIGGER memory_items_ai AFTER INSERT ON memory_items BEGIN
            INSERT INTO memory_fts(rowid, text) VALUES (new.rowid, new.text);
            INSERT INTO memory_versions(user_id, collection, version) VALUES (new.user_id, new.collection, 1)
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
        END;
        CREATE TRIGGER memory_items_ad AFTER DELETE ON memory_items BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
            INSERT INTO memory_versions(user_id, collection, version) VALUES (old.user_id, old.collection, 1)
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
        END;
        CREATE TRIGGER memory_items_au_text AFTER UPDATE OF text ON memory_items WHEN old.text IS NOT new.text BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
            INSERT INTO memory_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER memory_items_au AFTER UPDATE ON memory_items BEGIN
            INSERT INTO memory_versions(user_id, collection, version) VALUES (new.user_id, new.collection, 1)
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
            INSERT INTO memory_versions(user_id, collection, version) SELECT old.user_id, old.collection, 1
                WHERE old.user_id IS NOT new.user_id OR old.collection IS NOT new.collection
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
        END;

        CREATE TABLE index_meta (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        );
        """,

        // 3: keyword search scoped inside FTS5. The full-text index gets a second column, "scope", holding one token per
        // owner ('z' + hex(owner)), per (owner, collection) (hex(collection) + 'z' + hex(owner)) and per session
        // ('y' + hex(session)), read through a view over memory_items (nothing extra is stored in memory_items). A query
        // ANDs the owner's scope token with its words, so FTS5 ranks only the owner's rows ("ORDER BY rank LIMIT n")
        // however much other owners hold. The scope column weighs 0 in BM25, so text scores are unchanged.
        // memory_fts_vocab exposes document frequencies so a query keeps only its selective words.
        """
        DROP TRIGGER memory_items_ai;
        DROP TRIGGER memory_items_ad;
        DROP TRIGGER memory_items_au_text;
        DROP TABLE memory_fts;

        CREATE VIEW memory_fts_source AS
            SELECT rowid, text,
                   'z' || hex(user_id) || ' ' || hex(collection) || 'z' || hex(user_id)
                       || CASE WHEN session_id IS NULL THEN '' ELSE ' y' || hex(session_id) END AS scope
            FROM memory_items;

        CREATE VIRTUAL TABLE memory_fts USING fts5(
            text, scope, content = 'memory_fts_source', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO memory_fts(memory_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)');
        INSERT INTO memory_fts(memory_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE memory_fts_vocab USING fts5vocab(memory_fts, 'row');

        CREATE TRIGGER memory_items_ai AFTER INSERT ON memory_items BEGIN
            INSERT INTO memory_fts(rowid, text, scope) VALUES (new.rowid, new.text,
                'z' || hex(new.user_id) || ' ' || hex(new.collection) || 'z' || hex(new.user_id)
                    || CASE WHEN new.session_id IS NULL THEN '' ELSE ' y' || hex(new.session_id) END);
            INSERT INTO memory_versions(user_id, collection, version) VALUES (new.user_id, new.collection, 1)
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
        END;
        CREATE TRIGGER memory_items_ad AFTER DELETE ON memory_items BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text, scope) VALUES ('delete', old.rowid, old.text,
                'z' || hex(old.user_id) || ' ' || hex(old.collection) || 'z' || hex(old.user_id)
                    || CASE WHEN old.session_id IS NULL THEN '' ELSE ' y' || hex(old.session_id) END);
            INSERT INTO memory_versions(user_id, collection, version) VALUES (old.user_id, old.collection, 1)
                ON CONFLICT (user_id, collection) DO UPDATE SET version = version + 1;
        END;
        CREATE TRIGGER memory_items_au_text AFTER UPDATE OF text, user_id, collection, session_id ON memory_items
            WHEN old.text IS NOT new.text OR old.user_id IS NOT new.user_id OR old.collection IS NOT new.collection
                OR old.session_id IS NOT new.session_id BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text, scope) VALUES ('delete', old.rowid, old.text,
                'z' || hex(old.user_id) || ' ' || hex(old.collection) || 'z' || hex(old.user_id)
                    || CASE WHEN old.session_id IS NULL THEN '' ELSE ' y' || hex(old.session_id) END);
            INSERT INTO memory_fts(rowid, text, scope) VALUES (new.rowid, new.text,
                'z' || hex(new.user_id) || ' ' || hex(new.collection) || 'z' || hex(new.user_id)
                    || CASE WHEN new.session_id IS NULL THEN '' ELSE ' y' || hex(new.session_id) END);
        END;
        """,
    ];

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var versionCommand = connection.CreateCommand();
        versionCommand.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(await versionCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Count)
        {
            throw new LongMemoryStoreException(
                $"The database schema is version {current}, newer than this library's {Migrations.Count}. Upgrade LongMemory.Kernel.");
        }

        for (var version = current + 1; version <= Migrations.Count; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version - 1] + $"\nPRAGMA user_version = {version};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
        }
    }
}
