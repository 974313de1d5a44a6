// Packs a canonical tiktoken rank file ("<base64> <rank>" per line, ranks 0..N-1 in order) into the
// compact form embedded in LongMemory.Kernel: Brotli over "TKR1", int32 LE count, then per rank a
// length byte and the token's bytes. Run: dotnet run tests/Tools/pack-tiktoken-ranks.cs -- <in.tiktoken> <out.br>
using System.Buffers.Binary;
using System.IO.Compression;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: pack-tiktoken-ranks <in.tiktoken> <out.br>");
    return 2;
}

var raw = new MemoryStream();
raw.Write("TKR1"u8);
raw.Write(new byte[4]);
var count = 0;
foreach (var line in File.ReadLines(args[0]))
{
    if (line.Length == 0)
    {
        continue;
    }

    var space = line.IndexOf(' ', StringComparison.Ordinal);
    var rank = int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
    if (rank != count)
    {
        throw new InvalidDataException($"Rank {rank} on line {count + 1}: ranks must run 0..N-1 in order.");
    }

    var token = Convert.FromBase64String(line[..space]);
    if (token.Length is 0 or > 255)
    {
        throw new InvalidDataException($"Token of rank {rank} has {token.Length} bytes; 1..255 are supported.");
    }

    raw.WriteByte((byte)token.Length);
    raw.Write(token);
    count++;
}

var bytes = raw.ToArray();
BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), count);
using (var output = File.Create(args[1]))
using (var brotli = new BrotliEncoder(quality: 11, window: 22))
{
    var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
    if (brotli.Compress(bytes, buffer, out _, out var written, isFinalBlock: true) != System.Buffers.OperationStatus.Done)
    {
        throw new InvalidOperationException("Brotli compression did not complete.");
    }

    output.Write(buffer, 0, written);
}

Console.WriteLine($"{args[0]}: {count} ranks, {bytes.Length} bytes raw -> {new FileInfo(args[1]).Length} bytes");
return 0;
