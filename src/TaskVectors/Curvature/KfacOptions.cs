// KfacOptions: the settings of KFAC factor estimation (estimator, probes, token mode, q/k/v fusion,
// diagonal-GGN sums, example cap, batch size, probe seed), validated where they are used.
namespace TaskVectors.Curvature;

/// <summary>Settings for <see cref="KfacEstimator"/>; every one is recorded in the factor file's metadata.</summary>
public sealed record KfacOptions
{
    /// <summary>Monte-Carlo probes (default) or the exact sum over the C output directions.</summary>
    public KfacEstimatorKind Estimator { get; init; } = KfacEstimatorKind.MonteCarlo;

    /// <summary>Monte-Carlo probes P per example (default 1, as the reference); each costs one backward pass. Ignored by <see cref="KfacEstimatorKind.Exact"/>.</summary>
    public int Probes { get; init; } = 1;

    /// <summary>How tokens of weight-shared layers enter the factors (default <see cref="KfacTokenMode.Expand"/>, the reference's).</summary>
    public KfacTokenMode TokenMode { get; init; } = KfacTokenMode.Expand;

    /// <summary>
    /// Whether Linear layers that read the same input tensor (an attention block's q, k and v) form one block over
    /// their concatenated outputs, with the cross terms in G, as the reference's fused qkv layer (default true).
    /// </summary>
    public bool FuseQkv { get; init; } = true;

    /// <summary>Whether LayerNorm γ/β and the class embedding get full dense blocks (default true); see <see cref="Models.ModelRegistration.PerSampleLayers"/>.</summary>
    public bool DenseBlocks { get; init; } = true;

    /// <summary>
    /// Names of parameters the caller leaves without curvature on purpose. Any other parameter with no block and no exclusion
    /// in the model's registration (<see cref="Models.CurvatureRole.None"/>) makes estimation fail, naming it.
    /// </summary>
    public IReadOnlyCollection<string> ExcludedParameters { get; init; } = [];

    /// <summary>
    /// Whether each Kronecker block also sums the diagonal of its GGN before factoring, S_D (GDim × ADim, see
    /// <see cref="KroneckerBlock.Diagonal"/>), from the same forward and probe passes — the data the diagonal-GGN baseline
    /// (<see cref="DiagonalGgnRegularizer"/>) needs. Costs one extra GEMM per block and probe, the size of a weight gradient
    /// (default false). Dense blocks need nothing extra: their diagonal is diag(S_F).
    /// </summary>
    public bool Diagonal { get; init; }

    /// <summary>At most this many examples are used, the first ones in order (default: all; a few hundred saturate).</summary>
    public int MaxExamples { get; init; } = int.MaxValue;

    /// <summary>Examples per forward/backward batch (default 64). Factors do not depend on it beyond float32 rounding.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Seed of the probe stream: one <see cref="Tensors.Rng"/>(Seed) fills every probe matrix s (B, C) with N(0, 1) draws
    /// in order — batch by batch, probe by probe, row-major within s.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Estimator)) throw new ArgumentOutOfRangeException(nameof(Estimator), Estimator, "Unknown KFAC estimator.");
        if (!Enum.IsDefined(TokenMode)) throw new ArgumentOutOfRangeException(nameof(TokenMode), TokenMode, "Unknown KFAC token mode.");
        if (Probes < 1) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "At least one Monte-Carlo probe is needed.");
        if (MaxExamples < 1) throw new ArgumentOutOfRangeException(nameof(MaxExamples), MaxExamples, "At least one example is needed.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
    }
}
