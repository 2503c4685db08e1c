// KfacLayout: which KFAC blocks a model has, found from its registration and its last Forward: one
// Kronecker block per KFAC layer (Linear, patch embedding), or per group of layers reading the same input
// tensor (q/k/v), and one dense block per parameter of its per-sample-gradient layers (LayerNorm γ/β,
// class embedding). A parameter left with no block and no exclusion is an error, not a silent gap.
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Curvature;

/// <summary>
/// The blocks of a model's KFAC approximation, in the order of <see cref="ModelRegistration.KfacLayers"/> (Kronecker
/// blocks) and of <see cref="ModelRegistration.PerSampleLayers"/> (dense blocks). KFAC layers whose last Forward read the
/// very same input tensor — an attention block's q, k and v — form one block when fusion is on; the model's structure is
/// read from that Forward, so no per-model table is needed.
/// </summary>
internal sealed class KfacLayout
{
    private KfacLayout(KroneckerBlockSpec[] blocks, IKfacLayer[][] groups, DenseBlockSpec[] dense, (IPerSampleGradients, Parameter)[] denseSources)
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

    /// <summary>The layers of each Kronecker block, in output order (parallel to <see cref="Blocks"/>).</summary>
    internal IReadOnlyList<IKfacLayer[]> Groups { get; }

    /// <summary>The layer and parameter of each dense block (parallel to <see cref="DenseBlocks"/>).</summary>
    internal IReadOnlyList<(IPerSampleGradients Layer, Parameter Parameter)> DenseSources { get; }

    /// <summary>
    /// Runs <paramref name="model"/>.Forward on <paramref name="batch"/> and reads the layout from it (see the class remarks).
    /// </summary>
    /// <param name="model">The model; its <see cref="IModule.Registration"/> names the layers.</param>
    /// <param name="batch">A batch to run the Forward on.</param>
    /// <param name="fuseQkv">Whether layers reading the same input share a block.</param>
    /// <param name="denseBlocks">Whether per-sample-gradient parameters get dense blocks (when false they are left out on purpose).</param>
    /// <param name="excluded">Names of parameters the caller leaves without curvature on purpose.</param>
    /// <exception cref="InvalidOperationException">
    /// A KFAC layer did not run in that Forward, or a parameter has no block and was not excluded (the message names it).
    /// </exception>
    public static KfacLayout Discover<TInput>(IEmbeddingModel<TInput> model, TInput batch, bool fuseQkv = true, bool denseBlocks = true,
        IReadOnlyCollection<string>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Forward(batch);
        return FromLastForward(model.Registration, fuseQkv, denseBlocks, excluded ?? []);
    }

    /// <summary>The layout of a registered model whose layers have just run a Forward.</summary>
    internal static KfacLayout FromLastForward(ModelRegistration registration, bool fuse, bool denseBlocks, IReadOnlyCollection<string> excluded)
    {
        CheckCoverage(registration, excluded);
        var groups = new List<List<IKfacLayer>>();
        foreach (var layer in registration.KfacLayers)
        {
            var input = layer.LastInput ?? throw new InvalidOperationException(
                $"Layer '{layer.Name}' did not run in the model's Forward, so it has no input to build its KFAC factor A from.");
            var group = fuse
                ? groups.Find(g => ReferenceEquals(g[0].LastInput, input) && g[0].InFeatures == layer.InFeatures && (g[0].Bias is null) == (layer.Bias is null))
                : null;
            if (group is null) groups.Add([layer]);
            else group.Add(layer);
        }
        var specs = groups.Select(g => new KroneckerBlockSpec(
            BlockName(g), [.. g.Select(l => new KroneckerMember(l.Weight.Name, l.Bias?.Name, l.OutFeatures))], g[0].InFeatures)).ToArray();

        var sources = !denseBlocks
            ? []
            : registration.PerSampleLayers.SelectMany(layer => layer.PerSampleParameters.Select(p => (layer, p))).ToArray();
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

    // One layer keeps its name; a fused group "p.q_proj", "p.k_proj", "p.v_proj" becomes "p.q_proj+k_proj+v_proj"
    // (full names joined by '+' if the prefixes differ), so block names never collide with parameter names.
    private static string BlockName(List<IKfacLayer> group)
    {
        if (group.Count == 1) return group[0].Name;
        static string Prefix(string name) => name.LastIndexOf('.') is var dot and >= 0 ? name[..dot] : "";
        string prefix = Prefix(group[0].Name);
        if (prefix.Length == 0 || group.Any(l => Prefix(l.Name) != prefix)) return string.Join('+', group.Select(l => l.Name));
        return prefix + "." + string.Join('+', group.Select(l => l.Name[(prefix.Length + 1)..]));
    }

    // Every trainable weight either has a block, was excluded where the model declared it, or is excluded by the caller;
    // anything else would leave TAK silently unpenalized on it.
    private static void CheckCoverage(ModelRegistration registration, IReadOnlyCollection<string> excluded)
    {
        var unknown = excluded.Where(name => !registration.Parameters.Any(p => p.Name == name)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Excluded parameter(s) {string.Join(", ", unknown.Select(n => $"'{n}'"))} are not parameters of the model.", nameof(excluded));
        var uncovered = registration.Uncovered.Where(p => !excluded.Contains(p.Name)).Select(p => $"'{p.Name}' {p.Value.ShapeText}").ToList();
        if (uncovered.Count > 0)
            throw new InvalidOperationException(
                $"Parameter(s) {string.Join(", ", uncovered)} have no KFAC block: their layers are neither KFAC nor per-sample-gradient layers. " +
                "Give the layer a curvature role (implement IKfacLayer), exclude the parameter where the model registers it (ModuleScope.Exclude), " +
                "or pass it in KfacOptions.ExcludedParameters.");
    }
}
