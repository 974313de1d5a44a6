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
    ];
}
