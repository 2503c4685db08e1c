// KfacEstimator: Phase 1 of TAK — a task's KFAC factors at θ0 on its inputs (labels unused), with the
// model's own passes only: per batch one Forward (A factors from every KFAC layer's input), then one Backward
// per probe s (B, C) of ∂(Σ_n s_nᵀ f_n)/∂f = s (G factors from every KFAC layer's output gradient, dense
// blocks from per-sample gradients). Sums in float64; the first MaxExamples examples, in order.
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Curvature;

/// <summary>
/// Estimates <see cref="TaskFactors"/> for one task. For every Kronecker block (<see cref="KfacLayout"/>):
/// S_A = Σ_n w_tok Σ_r ā ā ᵀ with ā = [a; 1] the layer input, and S_G = Σ_n w_tok Σ_r w_p g gᵀ with g the gradient
/// at the layer output of sᵀf(x) — s ~ N(0, I_C) per probe with w_p = 1/P (Monte-Carlo GGN, E[Jᵀ s sᵀ J] = JᵀJ), or
/// s = e_c for each of the C directions with w_p = 1 (exact); w_tok per <see cref="KfacTokenMode"/>. For every dense
/// block S_F = Σ_n Σ_probes w_p g_{p,n} g_{p,n}ᵀ; with <see cref="KfacOptions.Diagonal"/> also every block's diagonal-GGN
/// sum S_D. N counts examples. A batch that is an <see cref="IPaddedBatch"/> (text) leaves its padding out: R_n is then the
/// sample's count of real tokens.
/// </summary>
/// <remarks>
/// Each batch's Gram matrices are float32 GEMM products (a float32 dot product over the batch's rows per entry), added
/// into the float64 sums: the sums never lose precision across batches, and the GEMM seam does the heavy work.
/// The estimator's own loops are serial over blocks, so results depend on the thread count only as much as the GEMM
/// provider's do (the managed provider is bit-identical for any thread count). The model runs in evaluation mode (a <see cref="TextTransformer"/>'s
/// dropout is switched off for the estimation and restored). The backward passes need input gradients only, so every
/// parameter's <see cref="Layers.Parameter.RequiresGrad"/> is off during the estimation (the weight-gradient GEMMs are
/// skipped) and restored afterwards; the parameters' gradient accumulators are left untouched. Every KFAC layer
/// <see cref="Layers.IKfacLayer.TracksCurvature"/> during the estimation, so a model that changes a tensor a layer
/// handed to KFAC (in-place arithmetic) makes it fail instead of corrupting a factor.
/// </remarks>
public static class KfacEstimator
{
    /// <summary>Metadata key listing <see cref="KfacOptions.ExcludedParameters"/> (comma-separated, sorted), present when any.</summary>
    public const string ExcludedKey = "kfac_excluded_parameters";

    /// <summary>
    /// Estimates the factors of <paramref name="model"/> at its current parameters (θ0) on the first
    /// <see cref="KfacOptions.MaxExamples"/> examples of <paramref name="data"/> (labels ignored).
    /// </summary>
    /// <param name="model">The base model; its registered KFAC layers and per-sample-gradient layers define the blocks.</param>
    /// <param name="data">The task's examples, taken in order.</param>
    /// <param name="options">Estimator settings (defaults: Monte-Carlo, 1 probe, expand, fused q/k/v, batch 64).</param>
    /// <param name="progress">Receives a report after every batch.</param>
    /// <param name="cancellationToken">Checked before every batch and backward pass.</param>
    /// <exception cref="ArgumentException">
    /// The data set is empty, an excluded name is not a parameter of the model, or an input holds NaN or ∞ (the factors would
    /// not be finite; names the data set and block).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter has no curvature block and is not excluded, or a tensor a KFAC layer handed over was changed in place.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TaskFactors Estimate<TInput>(IEmbeddingModel<TInput> model, ILabeledData<TInput> data, KfacOptions? options = null,
        IProgress<KfacProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new KfacOptions();
        options.Validate();
        int total = Math.Min(data.Count, options.MaxExamples);
        if (total <= 0) throw new ArgumentException($"The data set '{data.Description}' has no examples to estimate factors on.", nameof(data));
        cancellationToken.ThrowIfCancellationRequested();

        string fingerprint = ModelFingerprint.Compute(model);
        var text = model as TextTransformer;
        bool wasTraining = text?.Training ?? false;
        if (text is not null) text.Training = false;
        var requiresGrad = model.Parameters.Select(p => p.RequiresGrad).ToArray();
        var kfacLayers = model.Registration.KfacLayers;
        var tracking = kfacLayers.Select(l => l.TracksCurvature).ToArray();
        try
        {
            foreach (var p in model.Parameters) p.RequiresGrad = false;
            foreach (var l in kfacLayers) l.TracksCurvature = true;
            var (blocks, dense) = Accumulate(model, data, options, total, progress, cancellationToken);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ModelFingerprint.MetadataKey] = fingerprint,
                [TaskFactors.EstimatorKey] = options.Estimator == KfacEstimatorKind.Exact ? "exact" : "monte-carlo",
                [TaskFactors.ProbesKey] = (options.Estimator == KfacEstimatorKind.Exact ? model.EmbeddingDim : options.Probes).ToString(CultureInfo.InvariantCulture),
                [TaskFactors.TokenModeKey] = options.TokenMode == KfacTokenMode.Expand ? "expand" : "reduce",
                [TaskFactors.FuseQkvKey] = options.FuseQkv ? "true" : "false",
                [TaskFactors.DiagonalKey] = options.Diagonal ? "true" : "false",
                [TaskFactors.SeedKey] = options.Seed.ToString(CultureInfo.InvariantCulture),
                [TaskFactors.BatchSizeKey] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
                [TaskFactors.DatasetKey] = data.Description ?? "",
            };
            if (options.ExcludedParameters.Count > 0) metadata[ExcludedKey] = string.Join(",", options.ExcludedParameters.Order(StringComparer.Ordinal));
            return new TaskFactors(blocks, dense, total, metadata);
        }
        finally
        {
            for (int i = 0; i < requiresGrad.Length; i++) model.Parameters[i].RequiresGrad = requiresGrad[i];
            for (int i = 0; i < tracking.Length; i++) kfacLayers[i].TracksCurvature = tracking[i];
            if (text is not null) text.Training = wasTraining;
        }
    }

    private static (KroneckerBlock[] Blocks, DenseBlock[] Dense) Accumulate<TInput>(IEmbeddingModel<TInput> model, ILabeledData<TInput> data,
        KfacOptions options, int total, IProgress<KfacProgress>? progress, CancellationToken cancellationToken)
    {
        int batchSize = Math.Min(options.BatchSize, total), dim = model.EmbeddingDim;
        var fullBatch = data.CreateBatch(batchSize);
        var fullProbe = new Tensor(batchSize, dim);
        TInput? tailBatch = default;
        Tensor? tailProbe = null;
        var indices = new int[batchSize];
        var rng = new Rng(options.Seed);
        KfacAccumulator? accumulator = null;
        var clock = Stopwatch.StartNew();
        int batches = 0;
        for (int start = 0; start < total; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, total - start);
            var batch = size == batchSize ? fullBatch : (tailBatch ??= data.CreateBatch(size));
            var probe = size == batchSize ? fullProbe : (tailProbe ??= new Tensor(size, dim));
            for (int i = 0; i < size; i++) indices[i] = start + i;
            data.Fill(batch, indices.AsSpan(0, size));

            model.Forward(batch);
            // The first Forward reveals the layout: which layers share an input, which ran at all.
            accumulator ??= new KfacAccumulator(KfacLayout.FromLastForward(model.Registration, options.FuseQkv, options.DenseBlocks,
                options.ExcludedParameters), options.TokenMode, options.Diagonal);
            accumulator.SetTokenMask((batch as IPaddedBatch)?.TokenMask);
            accumulator.AddInputs(size);
            if (options.Estimator == KfacEstimatorKind.MonteCarlo)
            {
                for (int p = 0; p < options.Probes; p++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    rng.FillNormal(probe.Span);
                    model.Backward(probe);
                    accumulator.AddGradients(size, 1.0 / options.Probes);
                }
            }
            else
            {
                var s = probe.Span;
                for (int c = 0; c < dim; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    s.Clear();
                    for (int n = 0; n < size; n++) s[n * dim + c] = 1f;
                    model.Backward(probe);
                    accumulator.AddGradients(size, 1.0);
                }
            }
            accumulator.AddCount(size);
            progress?.Report(new KfacProgress(start + size, total, ++batches, clock.Elapsed));
        }
        accumulator!.Finish();
        return (accumulator.Blocks, accumulator.Dense);
    }
}
