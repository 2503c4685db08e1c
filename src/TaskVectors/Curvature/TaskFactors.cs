// TaskFactors: one task's KFAC curvature at the base model θ0: per Kronecker block the float64 sums
// S_A, S_G and the sample count N, per dense block S_F and N, plus metadata (base-model fingerprint,
// estimator settings, dataset). Saved as one safetensors file per task (see FactorFile).
using System.Collections.ObjectModel;
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Curvature;

/// <summary>
/// The KFAC factors of one task, estimated at θ0 on that task's inputs by <see cref="KfacEstimator"/>: sums, not
/// means, so tasks aggregate exactly (<see cref="FactorAggregate"/>). The task's curvature of a block is
/// (S_G/N) ⊗ (S_A/N) (in <see cref="KroneckerBlockSpec"/>'s layout), of a dense block S_F/N.
/// </summary>
/// <remarks>
/// <para>File format (safetensors, little-endian, "format" = "taskvectors.kfac", "format_version" = "1"): for each
/// Kronecker block B the tensors "B.A" (ADim, ADim), "B.G" (GDim, GDim), "B.count" (1) and, optionally, the
/// diagonal-GGN sum "B.diag" (GDim, ADim) (all blocks or none); for each dense block over
/// parameter p the tensors "p.F" (d, d) and "p.count" (1). Matrices are F64 (or F32, see <see cref="FactorPrecision"/>;
/// any of F64/F32/F16/BF16 is read), counts F64. The metadata "blocks" is JSON:
/// <c>{"kronecker":[{"name":B,"in":in,"members":[{"weight":w,"bias":b|null,"out":out},…]},…],"dense":[{"parameter":p,"dim":d},…]}</c>;
/// "count" is N; <see cref="ModelFingerprint.MetadataKey"/> identifies θ0; "estimator", "probes", "token_mode",
/// "fuse_qkv", "seed", "batch_size" and "dataset" record how the sums were made. A file written to this description
/// by any tool, on any machine, loads unchanged.</para>
/// </remarks>
public sealed class TaskFactors
{
    /// <summary>Metadata key of the format name, "taskvectors.kfac".</summary>
    public const string FormatKey = "format";

    /// <summary>Metadata key of the format version, "1".</summary>
    public const string VersionKey = "format_version";

    /// <summary>Metadata key of the JSON block list.</summary>
    public const string BlocksKey = "blocks";

    /// <summary>Metadata key of the number of examples N.</summary>
    public const string CountKey = "count";

    /// <summary>Metadata key of the estimator: "monte-carlo" or "exact".</summary>
    public const string EstimatorKey = "estimator";

    /// <summary>Metadata key of the probes per example (Monte-Carlo P, or C output directions for exact).</summary>
    public const string ProbesKey = "probes";

    /// <summary>Metadata key of the token mode: "expand" or "reduce".</summary>
    public const string TokenModeKey = "token_mode";

    /// <summary>Metadata key of the q/k/v fusion flag: "true" or "false".</summary>
    public const string FuseQkvKey = "fuse_qkv";

    /// <summary>Metadata key of the diagonal flag: "true" when every Kronecker block carries its diagonal-GGN sum.</summary>
    public const string DiagonalKey = "diagonal";

    /// <summary>Metadata key of the probe seed.</summary>
    public const string SeedKey = "seed";

    /// <summary>Metadata key of the estimation batch size.</summary>
    public const string BatchSizeKey = "batch_size";

    /// <summary>Metadata key of the dataset description.</summary>
    public const string DatasetKey = "dataset";

    private readonly Dictionary<string, KroneckerBlock> _blocks;
    private readonly Dictionary<string, DenseBlock> _dense;

    /// <summary>Creates task factors from blocks (not copied), the number of examples N and metadata.</summary>
    /// <exception cref="ArgumentException">
    /// Two blocks share a name, N is negative, or a sum holds NaN or ∞ (the message names the block and, when the metadata
    /// records it, the data set: an input held a non-finite value, or the sums overflowed).
    /// </exception>
    public TaskFactors(IReadOnlyList<KroneckerBlock> blocks, IReadOnlyList<DenseBlock> denseBlocks, long count, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(denseBlocks);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _blocks = new Dictionary<string, KroneckerBlock>(StringComparer.Ordinal);
        foreach (var b in blocks)
            if (!_blocks.TryAdd(b.Name, b)) throw new ArgumentException($"Two KFAC blocks are named '{b.Name}'.", nameof(blocks));
        if (blocks.Any(b => b.Diagonal is null) && blocks.FirstOrDefault(b => b.Diagonal is not null) is { } withDiagonal)
            throw new ArgumentException($"KFAC block '{withDiagonal.Name}' has a diagonal but block '{blocks.First(b => b.Diagonal is null).Name}' has none; diagonals come for every block or none.", nameof(blocks));
        _dense = new Dictionary<string, DenseBlock>(StringComparer.Ordinal);
        foreach (var d in denseBlocks)
            if (!_dense.TryAdd(d.Parameter, d)) throw new ArgumentException($"Two dense blocks cover '{d.Parameter}'.", nameof(denseBlocks));
        if (FindNonFinite(blocks, denseBlocks) is { } bad)
        {
            string source = metadata?.GetValueOrDefault(DatasetKey) is { Length: > 0 } dataset ? $" estimated on '{dataset}'" : "";
            throw new ArgumentException(
                $"The KFAC factors{source} are not finite: {bad}. An input holds NaN or ∞, or the sums overflowed; such factors would turn τ into NaN.",
                nameof(blocks));
        }
        Blocks = new ReadOnlyCollection<KroneckerBlock>([.. blocks]);
        DenseBlocks = new ReadOnlyCollection<DenseBlock>([.. denseBlocks]);
        Count = count;
        Metadata = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal));
    }

    // "block 'B': S_A[i] is NaN" for the first non-finite entry of any sum, or null.
    internal static string? FindNonFinite(IEnumerable<KroneckerBlock> blocks, IEnumerable<DenseBlock> denseBlocks)
    {
        foreach (var b in blocks)
        {
            if (FirstNonFinite(b.A, $"block '{b.Name}': S_A ('{b.Name}.A')") is { } a) return a;
            if (FirstNonFinite(b.G, $"block '{b.Name}': S_G ('{b.Name}.G')") is { } g) return g;
            if (b.Diagonal is not null && FirstNonFinite(b.Diagonal, $"block '{b.Name}': S_D ('{b.Name}.diag')") is { } d) return d;
        }
        foreach (var d in denseBlocks)
            if (FirstNonFinite(d.F, $"dense block '{d.Parameter}': S_F ('{d.Parameter}.F')") is { } f) return f;
        return null;
    }

    private static string? FirstNonFinite(double[] values, string what)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return $"{what} entry {i} is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return null;
    }

    /// <summary>The Kronecker blocks, in model order.</summary>
    public IReadOnlyList<KroneckerBlock> Blocks { get; }

    /// <summary>The dense blocks, in model order.</summary>
    public IReadOnlyList<DenseBlock> DenseBlocks { get; }

    /// <summary>N, the number of examples the factors were estimated on.</summary>
    public long Count { get; }

    /// <summary>Whether every Kronecker block carries its diagonal-GGN sum S_D (<see cref="KroneckerBlock.Diagonal"/>).</summary>
    public bool HasDiagonal => Blocks.Count > 0 && Blocks.All(b => b.Diagonal is not null);

    /// <summary>How the factors were made (see the key constants).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The fingerprint of θ0 recorded in the metadata, or null.</summary>
    public string? BaseFingerprint => Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey);

    /// <summary>The block named <paramref name="name"/>, or null.</summary>
    public KroneckerBlock? FindBlock(string name) => _blocks.GetValueOrDefault(name);

    /// <summary>The dense block of parameter <paramref name="parameter"/>, or null.</summary>
    public DenseBlock? FindDenseBlock(string parameter) => _dense.GetValueOrDefault(parameter);

    /// <summary>Whether <paramref name="other"/> has the same blocks (names, members, widths) in the same order.</summary>
    public bool SameLayout(TaskFactors other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Blocks.Count == other.Blocks.Count && DenseBlocks.Count == other.DenseBlocks.Count
            && Blocks.Zip(other.Blocks).All(p => p.First.Spec.SameAs(p.Second.Spec))
            && DenseBlocks.Zip(other.DenseBlocks).All(p => p.First.Spec == p.Second.Spec);
    }

    /// <summary>Writes the factors as one safetensors file (atomic), in the format of the class remarks.</summary>
    /// <exception cref="InvalidOperationException">A sum was changed to hold NaN or ∞ after construction (names the file and block); nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; an existing file is unchanged.</exception>
    public void Save(string path, FactorPrecision precision = FactorPrecision.Double) => FactorFile.Save(this, path, precision);

    /// <summary>Reads a factor file without checking its base model (see <see cref="Load(string, IParameterized)"/>).</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not a version-1 factor file, its block list is malformed, or a listed tensor is missing, mis-shaped or
    /// holds NaN or ∞ (the message names the file and the block or tensor).
    /// </exception>
    /// <exception cref="IO.SafetensorsFormatException">The file is not valid safetensors.</exception>
    public static TaskFactors Load(string path) => FactorFile.Load(path);

    /// <summary>Reads a factor file and checks that it was computed on <paramref name="baseModel"/> (see <see cref="EnsureBase"/>).</summary>
    /// <exception cref="InvalidOperationException">The file belongs to another base model, or its blocks do not fit this model.</exception>
    public static TaskFactors Load(string path, IParameterized baseModel)
    {
        var factors = FactorFile.Load(path);
        factors.EnsureBase(baseModel, path);
        return factors;
    }

    /// <summary>
    /// Throws unless the recorded base fingerprint is <paramref name="baseModel"/>'s and every block's parameters exist in
    /// it with matching shapes (weight (out, in), bias (out), dense parameter of d entries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The message names the file, both fingerprints or the first misfit.</exception>
    public void EnsureBase(IParameterized baseModel, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        string what = source is null ? "Factors" : $"Factor file '{source}'";
        string actual = ModelFingerprint.Compute(baseModel);
        if (BaseFingerprint is null)
            throw new InvalidOperationException($"{what} record no base-model fingerprint, so they cannot be checked against this model ({actual[..12]}…).");
        if (!string.Equals(BaseFingerprint, actual, StringComparison.Ordinal))
            throw new InvalidOperationException(
                $"{what} were computed on base model {Short(BaseFingerprint)}, not on this model ({actual[..12]}…); factors only apply to the θ0 they were estimated at.");
        var byName = baseModel.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var b in Blocks)
            foreach (var m in b.Spec.Members)
            {
                Expect(byName, m.Weight, [m.OutFeatures, b.Spec.InFeatures], what, b.Name);
                if (m.Bias is not null) Expect(byName, m.Bias, [m.OutFeatures], what, b.Name);
            }
        foreach (var d in DenseBlocks)
        {
            var p = byName.GetValueOrDefault(d.Parameter)
                ?? throw new InvalidOperationException($"{what}: dense block '{d.Parameter}' names no parameter of this model.");
            if (p.Length != d.Spec.Dim) throw new InvalidOperationException($"{what}: dense block '{d.Parameter}' has {d.Spec.Dim} entries but the parameter has {p.Length}.");
        }
    }

    private static void Expect(Dictionary<string, Parameter> byName, string name, int[] shape, string what, string block)
    {
        var p = byName.GetValueOrDefault(name)
            ?? throw new InvalidOperationException($"{what}: block '{block}' covers '{name}', which this model does not have.");
        if (!KroneckerMember.Fits(p.Value, shape))
            throw new InvalidOperationException($"{what}: block '{block}' expects '{name}' of shape {Tensors.Tensor.ShapeString(shape)}, but the model's is {p.Value.ShapeText}.");
    }

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] + "…" : fingerprint;
}
