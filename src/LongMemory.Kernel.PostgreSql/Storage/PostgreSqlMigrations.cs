namespace LongMemory.Kernel.PostgreSql;

/// <summary>The versioned schema of the PostgreSQL stores. A released step is never edited: a change is a new step.</summary>
internal static class PostgreSqlMigrations
{
    /// <summary>Gets every migration, in version order.</summary>
    public static IReadOnlyList<PostgreSqlMigration> All { get; } =
    [
        new(1, "memory index: items with owner keys, a generated tsvector with a GIN index, pgvector embeddings, index metadata",
            """
            CREATE TABLE {schema}.index_meta (
                key text PRIMARY KEY,
                value text NOT NULL
            );

            -- The embedding column gets its dimension (vector(n)) and its HNSW index when the embedding model is recorded.
            CREATE TABLE {schema}.memory_items (
                row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                collection text NOT NULL,
                item_id text NOT NULL,
                session_id text NULL,
                item_type text NOT NULL,
                content text NOT NULL,
                embedding vector NULL,
                created_at timestamptz NOT NULL,
                payload jsonb NULL,
                content_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED,
                CONSTRAINT memory_items_owner_collection_item UNIQUE (owner_key, collection, item_id)
            );

            CREATE INDEX memory_items_content_tsv ON {schema}.memory_items USING gin (content_tsv);
            CREATE INDEX memory_items_owner_row ON {schema}.memory_items (owner_key, row_id);
            CREATE INDEX memory_items_owner_session ON {schema}.memory_items (owner_key, session_id);
            """),
        new(2, "sessions, messages, summaries and the indexing outbox of every kind of item",
            """
            -- id is the internal storage key (messages and summaries reference it); public_id is the id callers use,
            -- unique per owner (owner_key is MemoryOwner.Key: "user:<id>" or "session:<id>").
            CREATE TABLE {schema}.sessions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                public_id text NOT NULL,
                user_id text NULL,
                title text NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                is_active boolean NOT NULL DEFAULT true,
                message_count integer NOT NULL DEFAULT 0,
                tokens_used bigint NOT NULL DEFAULT 0,
                metadata text NULL,
                CONSTRAINT sessions_owner_public UNIQUE (owner_key, public_id)
            );
            CREATE INDEX sessions_owner_updated ON {schema}.sessions (owner_key, is_active, updated_at DESC, id DESC);

            -- index_state mirrors the message's outbox entry (read-only for callers); the unique partial index makes an
            -- append with an idempotency key a no-op when the session already holds the key (INSERT ... ON CONFLICT DO NOTHING).
            CREATE TABLE {schema}.messages (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_key bigint NOT NULL REFERENCES {schema}.sessions (id) ON DELETE CASCADE,
                idempotency_key text NULL,
                response_id text NULL,
                role text NOT NULL,
                content text NOT NULL,
                contents_json text NULL,
                message_type text NOT NULL DEFAULT 'chat' CHECK (message_type IN ('chat', 'report', 'system', 'tool')),
                created_at timestamptz NOT NULL,
                token_count integer NOT NULL DEFAULT 0,
                is_trimmed boolean NOT NULL DEFAULT false,
                index_state text NOT NULL DEFAULT 'pending' CHECK (index_state IN ('pending', 'indexed', 'failed', 'dead')),
                index_attempts integer NOT NULL DEFAULT 0,
                index_error text NULL,
                index_retry_at timestamptz NULL,
                metadata text NULL
            );
            CREATE INDEX messages_session_id ON {schema}.messages (session_key, id);
            CREATE UNIQUE INDEX messages_session_idempotency ON {schema}.messages (session_key, idempotency_key) WHERE idempotency_key IS NOT NULL;

            -- Level 1 covers messages, level 2+ covers summaries; a rolled-up summary gets superseded_at and its parent_id.
            CREATE TABLE {schema}.summaries (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_key bigint NOT NULL REFERENCES {schema}.sessions (id) ON DELETE CASCADE,
                level integer NOT NULL CHECK (level >= 1),
                first_message_id bigint NOT NULL,
                last_message_id bigint NOT NULL,
                parent_id bigint NULL,
                content text NOT NULL,
                token_count integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                superseded_at timestamptz NULL
            );
            CREATE INDEX summaries_session ON {schema}.summaries (session_key, superseded_at, first_message_id);

            -- One outbox for every kind of indexable row, written in the same transaction as the row. session_id is the
            -- session's public id (or NULL); source_id is the message/summary/model memory id, a knowledge key or an app's
            -- document id. Claimed with FOR UPDATE SKIP LOCKED and a lease in claimed_until; removed when done.
            CREATE TABLE {schema}.index_outbox (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                session_id text NULL,
                kind text NOT NULL CHECK (kind IN ('message', 'summary', 'knowledge', 'model_memory', 'document')),
                source_id text NOT NULL,
                op text NOT NULL DEFAULT 'upsert' CHECK (op IN ('upsert', 'delete')),
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                error text NULL,
                retry_at timestamptz NULL,
                claimed_until timestamptz NULL,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX index_outbox_due ON {schema}.index_outbox (id) WHERE state <> 'dead';
            CREATE INDEX index_outbox_owner ON {schema}.index_outbox (owner_key, session_id, state);
            CREATE INDEX index_outbox_source ON {schema}.index_outbox (kind, owner_key, source_id);
            """),
        new(3, "knowledge (current facts, history, forgotten markers), model memory and documents, owner-scoped",
            """
            -- At most one current entry per owner and key; history rows are closed (valid_to) and point at their successor.
            CREATE TABLE {schema}.knowledge_entries (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                session_id text NULL,
                key text NOT NULL,
                value text NOT NULL,
                source_message_id bigint NULL,
                confidence double precision NOT NULL DEFAULT 1.0,
                valid_from timestamptz NOT NULL,
                valid_to timestamptz NULL,
                superseded_by bigint NULL,
                created_at timestamptz NOT NULL,
                forgotten_at timestamptz NULL
            );
            CREATE INDEX knowledge_entries_owner_key ON {schema}.knowledge_entries (owner_key, key, id);
            CREATE UNIQUE INDEX knowledge_entries_current ON {schema}.knowledge_entries (owner_key, key) WHERE valid_to IS NULL;
            CREATE INDEX knowledge_entries_owner_session ON {schema}.knowledge_entries (owner_key, session_id) WHERE session_id IS NOT NULL;
            CREATE INDEX knowledge_entries_superseded_by ON {schema}.knowledge_entries (owner_key, superseded_by) WHERE superseded_by IS NOT NULL;

            -- A forgotten entry keeps its row (deleted_at) with the content erased.
            CREATE TABLE {schema}.model_memory (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                session_id text NULL,
                content text NOT NULL,
                category text NULL,
                importance double precision NOT NULL DEFAULT 0.5,
                source text NOT NULL DEFAULT 'model',
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                deleted_at timestamptz NULL
            );
            CREATE INDEX model_memory_owner_created ON {schema}.model_memory (owner_key, created_at DESC, id DESC) WHERE deleted_at IS NULL;
            CREATE INDEX model_memory_owner_session ON {schema}.model_memory (owner_key, session_id) WHERE session_id IS NOT NULL;

            -- session_id is the session's public id (unique per owner).
            CREATE TABLE {schema}.documents (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_key text NOT NULL,
                session_id text NOT NULL,
                document_id text NOT NULL,
                title text NOT NULL,
                text text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                CONSTRAINT documents_owner_session_document UNIQUE (owner_key, session_id, document_id)
            );
            """),
    ];
}
