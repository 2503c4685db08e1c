// AggregatedFactors: the curvature the TAK penalty of task t uses: every block's aggregate over the other
// tasks u ≠ t, in the form of Eq. 8 (one Kronecker product per block) or Eq. 7 (one per task).
using System.Collections.ObjectModel;

namespace TaskVectors.Curvature;

/// <summary>The other tasks' curvature, per Kronecker and dense block, ready for <see cref="TakRegularizer"/>.</summary>
public sealed class AggregatedFactors
{
    /// <summary>Eq. 8, <see cref="Form"/> of <see cref="FactorAggregate.AllBut"/> and <see cref="FactorAggregate.Combine"/>.</summary>
    public const string Eq8 = "eq8";

    /// <summary>Eq. 7, <see cref="Form"/> of <see cref="FactorAggregate.PerTask"/>.</summary>
    public const string Eq7 = "eq7";

    /// <summary>Wraps aggregated blocks (not copied).</summary>
    internal AggregatedFactors(string form, int tasks, IReadOnlyList<AggregatedKroneckerBlock> blocks, IReadOnlyList<AggregatedDenseBlock> denseBlocks, string? baseFingerprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(form);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(denseBlocks);
        Form = form;
        Tasks = tasks;
        Blocks = new ReadOnlyCollection<AggregatedKroneckerBlock>([.. blocks]);
        DenseBlocks = new ReadOnlyCollection<AggregatedDenseBlock>([.. denseBlocks]);
        BaseFingerprint = baseFingerprint;
    }

    /// <summary>"eq8" or "eq7".</summary>
    public string Form { get; }

    /// <summary>How many tasks were aggregated.</summary>
    public int Tasks { get; }

    /// <summary>The Kronecker blocks.</summary>
    internal IReadOnlyList<AggregatedKroneckerBlock> Blocks { get; }

    /// <summary>The dense blocks.</summary>
    internal IReadOnlyList<AggregatedDenseBlock> DenseBlocks { get; }

    /// <summary>The base model the factors were computed on, or null if unrecorded.</summary>
    public string? BaseFingerprint { get; }
}
