using System.Security.Cryptography;
using System.Text;

namespace LongMemory.Kernel.Qdrant.Points;

/// <summary>
/// Deterministic Qdrant point ids: an RFC 4122 version-5 (SHA-1, name-based) UUID of the owner and the item id, so the
/// same item always lands on the same point and upserts are idempotent. The item id itself is kept in the payload.
/// </summary>
internal static class PointIds
{
    /// <summary>The namespace of LongMemory point ids (a fixed, random UUID).</summary>
    public static readonly Guid Namespace = new("7d3c1a52-4c1e-4f57-9a0e-5b8e2f6c9d14");

    /// <summary>Gets the point id of an item of an owner.</summary>
    /// <param name="ownerKey">The owner key.</param>
    /// <param name="itemId">The item id.</param>
    /// <returns>The UUID in its canonical lower-case form.</returns>
    public static string For(string ownerKey, string itemId) =>
        // Length-prefixing the owner keeps ("a:b", "c") and ("a", "b:c") apart.
        NameBased(Namespace, ownerKey.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + ownerKey + ":" + itemId);

    /// <summary>Computes a version-5 UUID as RFC 4122 section 4.3 defines it (namespace and name hashed in network order).</summary>
    /// <param name="namespaceId">The namespace UUID.</param>
    /// <param name="name">The name.</param>
    /// <returns>The UUID in its canonical lower-case form.</returns>
    public static string NameBased(Guid namespaceId, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input.AsSpan(0, 16), bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }
}
