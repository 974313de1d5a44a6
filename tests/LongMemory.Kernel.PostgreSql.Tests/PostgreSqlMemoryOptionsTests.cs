using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests;

public sealed class PostgreSqlMemoryOptionsTests
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Username=app;Database=app";

    [Theory]
    [InlineData("Memory")]
    [InlineData("1memory")]
    [InlineData("pg_memory")]
    [InlineData("memory-store")]
    [InlineData("memory\"; DROP SCHEMA public; --")]
    [InlineData("")]
    [InlineData("a_schema_name_that_is_much_longer_than_the_sixty_three_bytes_postgres_keeps")]
    public void Validate_InvalidSchema_ThrowsNamingTheSetting(string schema)
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlMemoryOptions { ConnectionString = Connection, Schema = schema }.Validate());

        Assert.Contains("PostgreSqlMemoryOptions.Schema", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("longmemory")]
    [InlineData("_tenant_42")]
    public void Validate_PlainLowerCaseSchema_Passes(string schema)
    {
        new PostgreSqlMemoryOptions { ConnectionString = Connection, Schema = schema }.Validate();
    }

    [Fact]
    public void Validate_NoConnection_ThrowsNamingBothSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlMemoryOptions().Validate());

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("DataSource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConnectionStringAndDataSource_ThrowsAskingForOne()
    {
        using var dataSource = NpgsqlDataSource.Create(Connection);

        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlMemoryOptions { ConnectionString = Connection, DataSource = dataSource }.Validate());

        Assert.Contains("only one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MalformedConnectionString_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlMemoryOptions { ConnectionString = "Host=x;NoSuchKeyword=1" }.Validate());

        Assert.Contains("PostgreSqlMemoryOptions.ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(5, -1)]
    [InlineData(5, 6)]
    public void Validate_BadPoolSizes_ThrowNamingTheSetting(int max, int? min)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new PostgreSqlMemoryOptions { ConnectionString = Connection, MaxPoolSize = max, MinPoolSize = min }.Validate());

        Assert.Contains("PoolSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SubSecondTimeout_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new PostgreSqlMemoryOptions { ConnectionString = Connection, ConnectionTimeout = TimeSpan.FromMilliseconds(100) }.Validate());

        Assert.Contains("ConnectionTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PoolSettingsWithOwnDataSource_ThrowsPointingToTheDataSource()
    {
        using var dataSource = NpgsqlDataSource.Create(Connection);

        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlMemoryOptions { DataSource = dataSource, MaxPoolSize = 5 }.Validate());

        Assert.Contains("DataSource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildDataSource_PoolSettings_AreAppliedToTheConnectionString()
    {
        var options = new PostgreSqlMemoryOptions
        {
            ConnectionString = Connection,
            MaxPoolSize = 7,
            MinPoolSize = 2,
            ConnectionTimeout = TimeSpan.FromSeconds(3),
            CommandTimeout = TimeSpan.FromSeconds(9),
        };

        using var dataSource = options.BuildDataSource();
        var built = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.Equal(7, built.MaxPoolSize);
        Assert.Equal(2, built.MinPoolSize);
        Assert.Equal(3, built.Timeout);
        Assert.Equal(9, built.CommandTimeout);
    }
}
