// KfacLayout: which KFAC blocks a model has, found from its last Forward: one Kronecker block per
// Linear, or per group of Linears reading the same input tensor (q/k/v), and one dense block per
// parameter of the model's per-sample-gradient layers (LayerNorm γ/β, class embedding).
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Curvature;

/// <summary>
/// The blocks of a model's KFAC approximation, in the order of <see cref="IEmbeddingModel{TInput}.Linears"/>
/// (Kronecker blocks) and of <see cref="IPerSampleGradientModel.PerSampleGradientLayers"/> (dense blocks). Linear layers
/// whose last Forward read the very same input tensor — an attention block's q, k and v — form one block when
/// fusion is on; the model's structure is read from that Forward, so no per-model table is needed.
/// </summary>
public sealed class KfacLayout
{
    private KfacLayout(KroneckerBlockSpec[] blocks, Linear[][] groups, DenseBlockSpec[] dense, (IPerSampleGradients, Parameter)[] denseSources)
    {
        Blocks = blocks;
        Groups = groups;
        DenseBlocks = dense;
        DenseSources = denseSources;
    }

    /// <summary>The Kronecker blocks.</summary>
    public IReadOnlyList<KroneckerBlockSpec> Blocks { get; }

    /// <summary>The dense blocks.</summary>
    public IReadOnlyList<DenseBlockSpec> DenseBlocks { get; }

    /// <summary>The Linear layers of each Kronecker block, in output order (parallel to <see cref="Blocks"/>).</summary>
    internal IReadOnlyList<Linear[]> Groups { get; }

    /// <summary>The layer and parameter of each dense block (parallel to <see cref="DenseBlocks"/>).</summary>
    internal IReadOnlyList<(IPerSampleGradients Layer, Parameter Parameter)> DenseSources { get; }

    /// <summary>
    /// Runs <paramref name="model"/>.Forward on <paramref name="batch"/> and reads the layout from it (see the class remarks).
    /// </summary>
    /// <exception cref="InvalidOperationException">A Linear layer did not run in that Forward.</exception>
    public static KfacLayout Discover<TInput>(IEmbeddingModel<TInput> model, TInput batch, bool fuseQkv = true, bool denseBlocks = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Forward(batch);
        return FromLastForward(model.Linears, denseBlocks ? model as IPerSampleGradientModel : null, fuseQkv);
    }

    /// <summary>The layout of layers that have just run a Forward.</summary>
    internal static KfacLayout FromLastForward(IReadOnlyList<Linear> linears, IPerSampleGradientModel? perSample, bool fuse)
    {
        var groups = new List<List<Linear>>();
        foreach (var linear in linears)
        {
            var input = linear.LastInput ?? throw new InvalidOperationException(
                $"Linear '{linear.Name}' did not run in the model's Forward, so it has no input to build its KFAC factor A from.");
            var group = fuse
                ? groups.Find(g => ReferenceEquals(g[0].LastInput, input) && (g[0].Bias is null) == (linear.Bias is null))
                : null;
            if (group is null) groups.Add([linear]);
            else group.Add(linear);
        }
        var specs = groups.Select(g => new KroneckerBlockSpec(
            BlockName(g), [.. g.Select(l => new KroneckerMember(l.Weight.Name, l.Bias?.Name, l.OutFeatures))], g[0].InFeatures)).ToArray();

        var sources = perSample is null
            ? []
            : perSample.PerSampleGradientLayers.SelectMany(layer => layer.PerSampleParameters.Select(p => (layer, p))).ToArray();
        var dense = sources.Select(s => new DenseBlockSpec(s.p.Name, s.p.Length)).ToArray();
        return new KfacLayout(specs, [.. groups.Select(g => g.ToArray())], dense, sources);
    }

    /// <summary>
    /// Bytes of tensor data in a factor file of this layout: A and G of every block, F of every dense block, in
    /// <paramref name="precision"/>, plus an 8-byte count per block, plus each block's GDim × ADim diagonal when
    /// <paramref name="diagonal"/>. The JSON header adds a few kilobytes.
    /// </summary>
    public long FactorBytes(FactorPrecision precision, bool diagonal = false)
    {
        long element = precision == FactorPrecision.Double ? sizeof(double) : sizeof(float);
        long bytes = 0;
        foreach (var b in Blocks)
            bytes += element * ((long)b.ADim * b.ADim + (long)b.GDim * b.GDim + (diagonal ? (long)b.GDim * b.ADim : 0)) + sizeof(double);
        foreach (var d in DenseBlocks) bytes += element * d.Dim * d.Dim + sizeof(double);
        return bytes;
    }

    // One Linear keeps its name; a fused group "p.q_proj", "p.k_proj", "p.v_proj" becomes "p.q_proj+k_proj+v_proj"
    // (full names joined by '+' if the prefixes differ), so block names never collide with parameter names.
    private static string BlockName(List<Linear> group)
    {
        if (group.Count == 1) return group[0].Name;
        static string Prefix(string name) => name.LastIndexOf('.') is var dot and >= 0 ? name[..dot] : "";
        string prefix = Prefix(group[0].Name);
        if (prefix.Length == 0 || group.Any(l => Prefix(l.Name) != prefix)) return string.Join('+', group.Select(l => l.Name));
        return prefix + "." + string.Join('+', group.Select(l => l.Name[(prefix.Length + 1)..]));
    }
}
