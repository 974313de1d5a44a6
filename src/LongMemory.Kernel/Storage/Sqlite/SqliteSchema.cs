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
        // 4: owner identity is injective. Every owner column holds a tagged key ("user:<id>" or "session:<id>", see
        // MemoryOwner.Key); before, a user id "session:x" equalled anonymous session x's key. Legacy rows are attributed
        // through the session they came from (knowledge by its session, model memory and index items by their index
        // item's session), else by the old rule. Session ids become unique per owner: "id" stays the internal storage key
        // (messages and summaries reference it), "public_id" is the id callers use. Appends get an idempotency key.
        // Values move through a \x01-marked intermediate so no unique index sees a transient collision.
        """
        ALTER TABLE sessions ADD COLUMN owner_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
        UPDATE sessions SET owner_key = CASE WHEN user_id IS NULL THEN 'session:' || id ELSE 'user:' || user_id END, public_id = id;
        DROP INDEX ix_sessions_user;
        CREATE UNIQUE INDEX ux_sessions_owner_public ON sessions(owner_key, public_id);
        CREATE INDEX ix_sessions_owner ON sessions(owner_key, is_active, updated_at DESC);

        CREATE TEMP TABLE owner_map AS
            SELECT id AS session_id, CASE WHEN user_id IS NULL THEN 'session:' || id ELSE user_id END AS old_key, owner_key AS new_key
            FROM sessions;
        CREATE TEMP TABLE anonymous_keys AS SELECT 'session:' || id AS old_key FROM sessions WHERE user_id IS NULL;

        UPDATE model_memory SET user_id = char(1) || coalesce(
            (SELECT m.new_key FROM memory_items i JOIN owner_map m ON m.session_id = i.session_id AND m.old_key = i.user_id
             WHERE i.collection = 'model_memory' AND i.item_id = 'mm:' || model_memory.id AND i.user_id = model_memory.user_id),
            CASE WHEN user_id IN (SELECT old_key FROM anonymous_keys) THEN user_id ELSE 'user:' || user_id END);
        UPDATE knowledge_entries SET user_id = char(1) || coalesce(
            (SELECT m.new_key FROM owner_map m WHERE m.session_id = knowledge_entries.session_id AND m.old_key = knowledge_entries.user_id),
            CASE WHEN user_id IN (SELECT old_key FROM anonymous_keys) THEN user_id ELSE 'user:' || user_id END);
        UPDATE memory_items SET user_id = char(1) || coalesce(
            (SELECT m.new_key FROM owner_map m WHERE m.session_id = memory_items.session_id AND m.old_key = memory_items.user_id),
            CASE WHEN user_id IN (SELECT old_key FROM anonymous_keys) THEN user_id ELSE 'user:' || user_id END);
        UPDATE model_memory SET user_id = substr(user_id, 2);
        UPDATE knowledge_entries SET user_id = substr(user_id, 2);
        UPDATE memory_items SET user_id = substr(user_id, 2);
        DELETE FROM memory_versions WHERE user_id NOT IN (SELECT DISTINCT user_id FROM memory_items);
        DROP TABLE temp.owner_map;
        DROP TABLE temp.anonymous_keys;

        ALTER TABLE knowledge_entries RENAME COLUMN user_id TO owner_key;
        ALTER TABLE model_memory RENAME COLUMN user_id TO owner_key;

        ALTER TABLE messages ADD COLUMN idempotency_key TEXT NULL;
        CREATE UNIQUE INDEX ux_messages_idempotency ON messages(session_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        """,
        // 5: one indexing outbox for every kind of item (message, summary, knowledge, model memory, document), written in
        // the same transaction as the row change. The indexer claims entries (a lease in claimed_until), loads the CURRENT
        // source row, indexes it and deletes the entry, or records a failure (attempts, error, retry_at; "dead" at the
        // maximum). source_id is text: message/summary/model memory ids, a knowledge key, an app's document id. Documents
        // get a table, so every index item can be rebuilt from SQL. Pending and failed messages move into the outbox
        // (messages.index_state stays as a read-only mirror of their entry); current knowledge keys, active model memory
        // and active summaries are queued once, which repairs indexes the inline writers of earlier versions left stale.
        """
        CREATE TABLE index_outbox (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            owner_key      TEXT NOT NULL,
            session_id     TEXT NULL,
            kind           TEXT NOT NULL,
            source_id      TEXT NOT NULL,
            op             TEXT NOT NULL DEFAULT 'upsert',
            state          TEXT NOT NULL DEFAULT 'pending',
            attempts       INTEGER NOT NULL DEFAULT 0,
            error          TEXT NULL,
            retry_at       INTEGER NULL,
            claimed_until  INTEGER NULL,
            created_at     INTEGER NOT NULL
        );
        CREATE INDEX ix_index_outbox_due ON index_outbox(id) WHERE state <> 'dead';
        CREATE INDEX ix_index_outbox_owner ON index_outbox(owner_key, session_id, state);
        CREATE INDEX ix_index_outbox_source ON index_outbox(kind, owner_key, source_id);

        CREATE TABLE documents (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            owner_key    TEXT NOT NULL,
            session_id   TEXT NOT NULL,
            document_id  TEXT NOT NULL,
            title        TEXT NOT NULL,
            text         TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            UNIQUE (owner_key, session_id, document_id)
        );

        INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, state, attempts, error, retry_at, created_at)
            SELECT s.owner_key, s.public_id, 'message', CAST(m.id AS TEXT), 'upsert', m.index_state, m.index_attempts, m.index_error,
                   m.index_retry_at, m.created_at
            FROM messages m JOIN sessions s ON s.id = m.session_id
            WHERE m.index_state IN ('pending', 'failed')
            ORDER BY m.id;
        INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, created_at)
            SELECT owner_key, NULL, 'knowledge', key, 'upsert', max(created_at) FROM knowledge_entries GROUP BY owner_key, key;
        INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, created_at)
            SELECT owner_key, NULL, 'model_memory', CAST(id AS TEXT), 'upsert', updated_at FROM model_memory WHERE deleted_at IS NULL;
        INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, created_at)
            SELECT s.owner_key, s.public_id, 'summary', CAST(u.id AS TEXT), 'upsert', u.created_at
            FROM summaries u JOIN sessions s ON s.id = u.session_id WHERE u.superseded_at IS NULL;
        """,

        // 6: forget means forget. A forgotten knowledge entry keeps its row as a marker (forgotten_at) with its value erased;
        // a forgotten model memory entry keeps deleted_at with its content erased (rows forgotten before now are erased
        // here too). Model memory records the session it was saved in (taken from its index item for existing rows), so
        // soft-deleting a session hides it and hard-deleting the session removes it.
        """
        ALTER TABLE knowledge_entries ADD COLUMN forgotten_at INTEGER NULL;
        ALTER TABLE model_memory ADD COLUMN session_id TEXT NULL;
        UPDATE model_memory SET session_id = (
            SELECT i.session_id FROM memory_items i
            WHERE i.collection = 'model_memory' AND i.user_id = model_memory.owner_key AND i.item_id = 'mm:' || model_memory.id);
        UPDATE model_memory SET content = '', category = NULL WHERE deleted_at IS NOT NULL;
        CREATE INDEX ix_model_memory_session ON model_memory(owner_key, session_id) WHERE session_id IS NOT NULL;
        """,

        // 7 (ranking side channel): keyword statistics per owner. FTS5's bm25() and its vocabulary count every owner's
        // rows, so one owner's writes reordered another's results. memory_item_terms holds each item's owner, collection,
        // word count and distinct term keys (a JSON array of 64-bit hashes, never the words); its triggers keep
        // per-(owner, collection) document frequencies (memory_term_stats) and document and word counts
        // (memory_scope_stats) in the same transaction as every change. A search reads the small tables per candidate:
        // memory_item_lengths (the word count) and memory_item_repeats (words other than stop words occurring more than
        // once, with their counts). All go with their item (triggers on memory_items). The index writes them on upsert; existing items are analysed here by longmemory_keyword_*
        // functions that MigrateAsync registers (the code of the write path, KeywordStatistics.Analyze).
        """
        CREATE TABLE memory_item_terms (
            rowid       INTEGER PRIMARY KEY,
            user_id     TEXT NOT NULL,
            collection  TEXT NOT NULL,
            length      INTEGER NOT NULL,
            terms       TEXT NOT NULL
        );
        CREATE TABLE memory_item_lengths (
            rowid       INTEGER PRIMARY KEY,
            length      INTEGER NOT NULL
        );
        CREATE TABLE memory_item_repeats (
            rowid       INTEGER NOT NULL,
            term        INTEGER NOT NULL,
            count       INTEGER NOT NULL,
            PRIMARY KEY (rowid, term)
        ) WITHOUT ROWID;
        CREATE TABLE memory_term_stats (
            user_id     TEXT NOT NULL,
            collection  TEXT NOT NULL,
            term        INTEGER NOT NULL,
            documents   INTEGER NOT NULL,
            PRIMARY KEY (user_id, collection, term)
        ) WITHOUT ROWID;
        CREATE TABLE memory_scope_stats (
            user_id     TEXT NOT NULL,
            collection  TEXT NOT NULL,
            documents   INTEGER NOT NULL,
            tokens      INTEGER NOT NULL,
            PRIMARY KEY (user_id, collection)
        ) WITHOUT ROWID;

        CREATE TRIGGER memory_item_terms_ai AFTER INSERT ON memory_item_terms BEGIN
            INSERT INTO memory_term_stats(user_id, collection, term, documents)
                SELECT new.user_id, new.collection, value, 1 FROM json_each(new.terms) WHERE true
                ON CONFLICT (user_id, collection, term) DO UPDATE SET documents = documents + 1;
            INSERT INTO memory_scope_stats(user_id, collection, documents, tokens) VALUES (new.user_id, new.collection, 1, new.length)
                ON CONFLICT (user_id, collection) DO UPDATE SET documents = documents + 1, tokens = tokens + excluded.tokens;
        END;
        CREATE TRIGGER memory_item_terms_ad AFTER DELETE ON memory_item_terms BEGIN
            UPDATE memory_term_stats SET documents = documents - 1
                WHERE user_id = old.user_id AND collection = old.collection AND term IN (SELECT value FROM json_each(old.terms));
            DELETE FROM memory_term_stats
                WHERE user_id = old.user_id AND collection = old.collection AND term IN (SELECT value FROM json_each(old.terms)) AND documents <= 0;
            UPDATE memory_scope_stats SET documents = documents - 1, tokens = tokens - old.length
                WHERE user_id = old.user_id AND collection = old.collection;
            DELETE FROM memory_scope_stats WHERE user_id = old.user_id AND collection = old.collection AND documents <= 0;
        END;
        CREATE TRIGGER memory_item_terms_au AFTER UPDATE ON memory_item_terms BEGIN
            UPDATE memory_term_stats SET documents = documents - 1
                WHERE user_id = old.user_id AND collection = old.collection AND term IN (SELECT value FROM json_each(old.terms));
            DELETE FROM memory_term_stats
                WHERE user_id = old.user_id AND collection = old.collection AND term IN (SELECT value FROM json_each(old.terms)) AND documents <= 0;
            UPDATE memory_scope_stats SET documents = documents - 1, tokens = tokens - old.length
                WHERE user_id = old.user_id AND collection = old.collection;
            DELETE FROM memory_scope_stats WHERE user_id = old.user_id AND collection = old.collection AND documents <= 0;
            INSERT INTO memory_term_stats(user_id, collection, term, documents)
                SELECT new.user_id, new.collection, value, 1 FROM json_each(new.terms) WHERE true
                ON CONFLICT (user_id, collection, term) DO UPDATE SET documents = documents + 1;
            INSERT INTO memory_scope_stats(user_id, collection, documents, tokens) VALUES (new.user_id, new.collection, 1, new.length)
                ON CONFLICT (user_id, collection) DO UPDATE SET documents = documents + 1, tokens = tokens + excluded.tokens;
        END;

        CREATE TRIGGER memory_items_ad_terms AFTER DELETE ON memory_items BEGIN
            DELETE FROM memory_item_terms WHERE rowid = old.rowid;
            DELETE FROM memory_item_lengths WHERE rowid = old.rowid;
            DELETE FROM memory_item_repeats WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER memory_items_au_text_terms AFTER UPDATE OF text ON memory_items WHEN old.text IS NOT new.text BEGIN
            DELETE FROM memory_item_terms WHERE rowid = old.rowid;
            DELETE FROM memory_item_lengths WHERE rowid = old.rowid;
            DELETE FROM memory_item_repeats WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER memory_items_au_scope_terms AFTER UPDATE OF user_id, collection ON memory_items
            WHEN old.user_id IS NOT new.user_id OR old.collection IS NOT new.collection BEGIN
            UPDATE memory_item_terms SET user_id = new.user_id, collection = new.collection WHERE rowid = new.rowid;
        END;

        INSERT INTO memory_item_terms(rowid, user_id, collection, length, terms)
            SELECT rowid, user_id, collection, longmemory_keyword_length(text), longmemory_keyword_terms(text) FROM memory_items ORDER BY rowid;
        INSERT INTO memory_item_lengths(rowid, length) SELECT rowid, longmemory_keyword_length(text) FROM memory_items ORDER BY rowid;
        INSERT INTO memory_item_repeats(rowid, term, count)
            SELECT m.rowid, json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]')
            FROM memory_items m, json_each(longmemory_keyword_repeats(m.text)) r;
        """,
    ];

    /// <summary>
    /// Applies the missing migrations. Each one reads the version and applies itself inside one <c>BEGIN IMMEDIATE</c>
    /// transaction, so processes opening a new file at once queue on the write lock and each migration runs once.
    /// </summary>
    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // Migration 7 analyses existing index items with the code of the write path.
        connection.CreateFunction("longmemory_keyword_length", (string? text) => (long)KeywordStatistics.Analyze(text).Length, isDeterministic: true);
        connection.CreateFunction("longmemory_keyword_repeats", (string? text) => KeywordStatistics.Analyze(text).Repeats, isDeterministic: true);
        connection.CreateFunction("longmemory_keyword_terms", (string? text) => KeywordStatistics.Analyze(text).Terms, isDeterministic: true);
        while (true)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            using var versionCommand = connection.CreateCommand();
            versionCommand.Transaction = transaction;
            versionCommand.CommandText = "PRAGMA user_version;";
            var current = Convert.ToInt32(await versionCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (current > Migrations.Count)
            {
                throw new LongMemoryStoreException(
                    $"The database schema is version {current}, newer than this library's {Migrations.Count}. Upgrade LongMemory.Kernel.");
            }

            if (current == Migrations.Count)
            {
                transaction.Commit();
                return;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[current] + $"\nPRAGMA user_version = {current + 1};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
        }
    }
}
