// ContentHash: the content addresses of the builder's cache: SHA-256 (hex, 40 digits kept) over canonical text:
// data sets by their examples' bytes and labels, heads by their class embeddings, options records by every public
// property (invariant culture, round-trip floats, lists in order, nested records expanded), files by their bytes.
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Building;

internal static class ContentHash
{
    private const int HexDigits = 40;
    private const int Chunk = 256;

    /// <summary>The address of the parts, in order (each part is length-prefixed, so no two lists collide).</summary>
    public static string Of(params string[] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string part in parts)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(part);
            sha.AppendData(BitConverter.GetBytes(bytes.Length));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..HexDigits];
    }

    /// <summary>Whether batches of <typeparamref name="TInput"/> can be hashed (image tensors and text batches).</summary>
    public static bool CanHash<TInput>() => typeof(TInput) == typeof(Tensor) || typeof(TInput) == typeof(TextBatch);

    /// <summary>The address of a data set's content: N, classes, every label and every example's input bytes, in order.</summary>
    public static string Data<TInput>(ILabeledData<TInput> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(data.Count));
        sha.AppendData(BitConverter.GetBytes(data.Classes));
        var labels = new int[data.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = data.Label(i);
        sha.AppendData(MemoryMarshal.AsBytes(labels.AsSpan()));
        TInput? batch = default;
        var indices = new int[Chunk];
        for (int start = 0; start < data.Count; start += Chunk)
        {
            int n = Math.Min(Chunk, data.Count - start);
            if (batch is null || n != Chunk) batch = data.CreateBatch(n);
            for (int i = 0; i < n; i++) indices[i] = start + i;
            data.Fill(batch, indices.AsSpan(0, n));
            switch (batch)
            {
                case Tensor t:
                    sha.AppendData(MemoryMarshal.AsBytes(t.Span));
                    break;
                case TextBatch b:
                    sha.AppendData(MemoryMarshal.AsBytes(b.InputIds.AsSpan()));
                    sha.AppendData(MemoryMarshal.AsBytes(b.TokenTypeIds.AsSpan()));
                    sha.AppendData(MemoryMarshal.AsBytes(b.AttentionMask.Span));
                    break;
                default:
                    throw new NotSupportedException($"Batches of type {typeof(TInput).Name} cannot be hashed for the cache; use a plan without WithCache.");
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..HexDigits];
    }

    /// <summary>The address of a frozen head: its name, logit scale and class embeddings.</summary>
    public static string Head(CosineHead head)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(head.Name));
        sha.AppendData(BitConverter.GetBytes(head.LogitScale));
        sha.AppendData(BitConverter.GetBytes(head.Classes));
        sha.AppendData(MemoryMarshal.AsBytes(head.Weight.Value.Span));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..HexDigits];
    }

    /// <summary>The address of a file's bytes.</summary>
    public static string File(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..HexDigits];
    }

    /// <summary>Canonical text of an options record: every public property but <paramref name="skip"/>, by name.</summary>
    public static string Settings(object options, params string[] skip)
    {
        var text = new StringBuilder();
        Append(text, options, skip, depth: 0);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value, string[] skip, int depth)
    {
        var c = CultureInfo.InvariantCulture;
        switch (value)
        {
            case null: text.Append("null"); break;
            case string s: text.Append('"').Append(s.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"'); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case Enum e: text.Append(e.ToString()); break;
            case double d: text.Append(d.ToString("R", c)); break;
            case float f: text.Append(f.ToString("R", c)); break;
            case IFormattable n: text.Append(n.ToString(null, c)); break;
            case IEnumerable list:
                text.Append('[');
                foreach (object? item in list)
                {
                    Append(text, item, [], depth + 1);
                    text.Append(',');
                }
                text.Append(']');
                break;
            default:
                if (depth > 4) throw new NotSupportedException($"Settings nest too deeply to hash ({value.GetType().Name}).");
                text.Append(value.GetType().Name).Append('{');
                foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (p.GetIndexParameters().Length > 0 || skip.Contains(p.Name)) continue;
                    text.Append(p.Name).Append('=');
                    Append(text, p.GetValue(value), [], depth + 1);
                    text.Append(';');
                }
                text.Append('}');
                break;
        }
    }
}
