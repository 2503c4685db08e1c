// FactorFile: the safetensors layout of a task's factors (format "taskvectors.kfac", version 1).
//   tensors  "{block}.A" (ADim, ADim), "{block}.G" (GDim, GDim), "{block}.count" (1) per Kronecker block,
//            optionally "{block}.diag" (GDim, ADim) in every block;
//            "{parameter}.F" (d, d), "{parameter}.count" (1) per dense block. F64 (or F32 for A/G/F).
//   metadata "format", "format_version", "blocks" (JSON: block names, members, widths), the base-model
//            fingerprint, the estimator settings and the dataset description.
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Curvature;

/// <summary>Reads and writes <see cref="TaskFactors"/> as safetensors; see <see cref="TaskFactors"/> for the format.</summary>
internal static class FactorFile
{
    public const string Format = "taskvectors.kfac";
    public const string Version = "1";

    public static void Save(TaskFactors factors, string path, FactorPrecision precision)
    {
        // The sums are caller-visible arrays: check them again, so no file of non-finite factors is ever written.
        if (TaskFactors.FindNonFinite(factors.Blocks, factors.DenseBlocks) is { } bad)
            throw new InvalidOperationException($"Not writing factor file '{Path.GetFullPath(path)}': {bad}.");
        var entries = new List<SafetensorsEntry>();
        foreach (var b in factors.Blocks)
        {
            entries.Add(Matrix(b.Name + ".A", b.A, b.Spec.ADim, b.Spec.ADim, precision));
            entries.Add(Matrix(b.Name + ".G", b.G, b.Spec.GDim, b.Spec.GDim, precision));
            if (b.Diagonal is not null) entries.Add(Matrix(b.Name + ".diag", b.Diagonal, b.Spec.GDim, b.Spec.ADim, precision));
            entries.Add(SafetensorsEntry.FromDoubles(b.Name + ".count", new double[] { b.Count }, 1));
        }
        foreach (var d in factors.DenseBlocks)
        {
            entries.Add(Matrix(d.Parameter + ".F", d.F, d.Spec.Dim, d.Spec.Dim, precision));
            entries.Add(SafetensorsEntry.FromDoubles(d.Parameter + ".count", new double[] { d.Count }, 1));
        }
        var metadata = new Dictionary<string, string>(factors.Metadata, StringComparer.Ordinal)
        {
            [TaskFactors.FormatKey] = Format,
            [TaskFactors.VersionKey] = Version,
            [TaskFactors.CountKey] = factors.Count.ToString(CultureInfo.InvariantCulture),
            [TaskFactors.BlocksKey] = BlocksJson(factors),
        };
        FileHeader.Stamp(metadata, FileHeader.Factors);
        SafetensorsWriter.Write(path, entries, metadata);
    }

    public static TaskFactors Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        var meta = file.Metadata;
        FileHeader.Expect(file.FilePath, meta, allowUnmarked: true, FileHeader.Factors);
        if (meta.GetValueOrDefault(TaskFactors.FormatKey) != Format)
            throw new InvalidDataException($"'{file.FilePath}' is not a KFAC factor file: its metadata \"{TaskFactors.FormatKey}\" is '{meta.GetValueOrDefault(TaskFactors.FormatKey) ?? "(missing)"}', not '{Format}'.");
        if (meta.GetValueOrDefault(TaskFactors.VersionKey) != Version)
            throw new InvalidDataException($"Factor file '{file.FilePath}' has format version '{meta.GetValueOrDefault(TaskFactors.VersionKey) ?? "(missing)"}'; this library reads version {Version}.");
        string json = meta.GetValueOrDefault(TaskFactors.BlocksKey)
            ?? throw new InvalidDataException($"Factor file '{file.FilePath}' has no \"{TaskFactors.BlocksKey}\" metadata listing its blocks.");
        if (!long.TryParse(meta.GetValueOrDefault(TaskFactors.CountKey), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            throw new InvalidDataException($"Factor file '{file.FilePath}' has no valid \"{TaskFactors.CountKey}\" metadata.");
        var (specs, denseSpecs) = ParseBlocks(json, file.FilePath);
        try
        {
            var blocks = specs.Select(s => new KroneckerBlock(s,
                ReadMatrix(file, s.Name + ".A", s.ADim, s.ADim), ReadMatrix(file, s.Name + ".G", s.GDim, s.GDim), ReadCount(file, s.Name + ".count"),
                file.TryGetInfo(s.Name + ".diag", out _) ? ReadMatrix(file, s.Name + ".diag", s.GDim, s.ADim) : null)).ToList();
            if (blocks.Any(b => b.Diagonal is null) && blocks.FirstOrDefault(b => b.Diagonal is not null) is { } withDiagonal)
                throw new InvalidDataException($"Factor file '{file.FilePath}' has a diagonal for block '{withDiagonal.Name}' but not for block '{blocks.First(b => b.Diagonal is null).Name}'; diagonals come for every block or none.");
            var dense = denseSpecs.Select(s => new DenseBlock(s, ReadMatrix(file, s.Parameter + ".F", s.Dim, s.Dim), ReadCount(file, s.Parameter + ".count"))).ToList();
            var metadata = meta.Where(kv => kv.Key is not (TaskFactors.FormatKey or TaskFactors.VersionKey or TaskFactors.BlocksKey or TaskFactors.CountKey) && !FileHeader.IsHeaderKey(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            return new TaskFactors(blocks, dense, count, metadata);
        }
        catch (ArgumentException e)
        {
            // Blocks that parse one by one but not together (duplicate names, N < 0, …).
            throw new InvalidDataException($"Factor file '{file.FilePath}': {e.Message}", e);
        }
    }

    private static SafetensorsEntry Matrix(string name, double[] values, int rows, int columns, FactorPrecision precision)
    {
        if (precision == FactorPrecision.Double) return SafetensorsEntry.FromDoubles(name, values, rows, columns);
        var t = new Tensor(rows, columns);
        var span = t.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (float)values[i];
        return SafetensorsEntry.FromSingles(name, t);
    }

    private static double[] ReadMatrix(SafetensorsFile file, string name, int rows, int columns)
    {
        if (!file.TryGetInfo(name, out var info))
            throw new InvalidDataException($"Factor file '{file.FilePath}' lists a block whose tensor '{name}' is missing.");
        if (!info.Shape.AsSpan().SequenceEqual([rows, columns]))
            throw new InvalidDataException($"Factor file '{file.FilePath}': tensor '{name}' is {info.ShapeText}; its block needs [{rows}, {columns}].");
        var values = file.ReadDoubles(name);
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new InvalidDataException($"Factor file '{file.FilePath}': tensor '{name}' holds {values[i].ToString(CultureInfo.InvariantCulture)} at entry {i}; factors are finite sums.");
        return values;
    }

    private static long ReadCount(SafetensorsFile file, string name)
    {
        if (!file.TryGetInfo(name, out var info) || info.ElementCount != 1)
            throw new InvalidDataException($"Factor file '{file.FilePath}' lacks the one-element sample count '{name}'.");
        double value = file.ReadDoubles(name)[0];
        if (!(value >= 0) || value != Math.Floor(value) || value > 1L << 53)
            throw new InvalidDataException($"Factor file '{file.FilePath}': sample count '{name}' is {value}, not a non-negative integer.");
        return (long)value;
    }

    // {"kronecker":[{"name":…,"in":…,"members":[{"weight":…,"bias":…|null,"out":…},…]},…],"dense":[{"parameter":…,"dim":…},…]}
    private static string BlocksJson(TaskFactors factors)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("kronecker");
            foreach (var b in factors.Blocks)
            {
                w.WriteStartObject();
                w.WriteString("name", b.Name);
                w.WriteNumber("in", b.Spec.InFeatures);
                w.WriteStartArray("members");
                foreach (var m in b.Spec.Members)
                {
                    w.WriteStartObject();
                    w.WriteString("weight", m.Weight);
                    if (m.Bias is null) w.WriteNull("bias");
                    else w.WriteString("bias", m.Bias);
                    w.WriteNumber("out", m.OutFeatures);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("dense");
            foreach (var d in factors.DenseBlocks)
            {
                w.WriteStartObject();
                w.WriteString("parameter", d.Parameter);
                w.WriteNumber("dim", d.Spec.Dim);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static (List<KroneckerBlockSpec> Blocks, List<DenseBlockSpec> Dense) ParseBlocks(string json, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var blocks = new List<KroneckerBlockSpec>();
            foreach (var b in root.GetProperty("kronecker").EnumerateArray())
            {
                var members = b.GetProperty("members").EnumerateArray().Select(m => new KroneckerMember(
                    m.GetProperty("weight").GetString()!,
                    m.TryGetProperty("bias", out var bias) && bias.ValueKind == JsonValueKind.String ? bias.GetString() : null,
                    m.GetProperty("out").GetInt32())).ToList();
                blocks.Add(new KroneckerBlockSpec(b.GetProperty("name").GetString()!, members, b.GetProperty("in").GetInt32()));
            }
            var dense = root.TryGetProperty("dense", out var list)
                ? list.EnumerateArray().Select(d => new DenseBlockSpec(d.GetProperty("parameter").GetString()!, d.GetProperty("dim").GetInt32())).ToList()
                : [];
            return (blocks, dense);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"Factor file '{path}': the \"{TaskFactors.BlocksKey}\" metadata is not a valid block list ({e.Message}).", e);
        }
    }
}
