// FactorAggregate: Phase 2's curvature for task t from the other tasks' factors, constant in the number
// of tasks T (paper Eq. 8): running totals Σ_u S^A_u, Σ_u N_u, Σ_u S^G_u/N_u, Σ_u S^F_u over every added
// task, and Σ_u S^D_u/N_u for the diagonal GGN when every task carries diagonals; "all but t" is the
// totals minus t's own sums. The per-task form (Eq. 7) is kept for comparison.
namespace TaskVectors.Curvature;

/// <summary>
/// Running totals over tasks' <see cref="TaskFactors"/> (all with the same blocks and base model). For task t, over
/// u ≠ t and per block: A* = Σ_u S^A_u / Σ_u N_u (the sample-weighted mean of the per-task means),
/// G* = Σ_u S^G_u / N_u (the plain sum of per-task means), F* = Σ_u S^F_u / Σ_u N_u, and — when every task carries
/// diagonal-GGN sums — D* = Σ_u S^D_u / N_u (the sum of per-task mean diagonals, as G*). Memory is that of one task's
/// factors whatever T; the totals are float64, so subtracting t's sums loses nothing that matters.
/// </summary>
public sealed class FactorAggregate
{
    private readonly Dictionary<string, long> _tasks = new(StringComparer.Ordinal);
    private KroneckerBlockSpec[] _specs = [];
    private DenseBlockSpec[] _denseSpecs = [];
    private double[][] _sumA = [], _sumGMean = [], _sumF = [];
    private double[][]? _sumDMean;
    private long[] _countA = [], _countF = [];
    private string? _fingerprint;

    /// <summary>The names of the tasks added so far.</summary>
    public IReadOnlyCollection<string> Tasks => _tasks.Keys;

    /// <summary>Adds task <paramref name="task"/>'s sums to the totals; the factors themselves are not kept.</summary>
    /// <exception cref="ArgumentException">The name is taken; the blocks or base model differ from the first task's; a block has no samples.</exception>
    public void Add(string task, TaskFactors factors)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        ArgumentNullException.ThrowIfNull(factors);
        if (_tasks.ContainsKey(task)) throw new ArgumentException($"Task '{task}' is already in the aggregate.", nameof(task));
        CheckCounts(task, factors);
        if (_tasks.Count == 0) Start(factors);
        else CheckCompatible(task, factors);
        for (int b = 0; b < _specs.Length; b++)
        {
            var block = factors.Blocks[b];
            Add(_sumA[b], block.A, 1.0);
            Add(_sumGMean[b], block.G, 1.0 / block.Count);
            _countA[b] += block.Count;
        }
        // Diagonals aggregate only while every task has them.
        if (!factors.HasDiagonal) _sumDMean = null;
        else if (_sumDMean is not null)
            for (int b = 0; b < _specs.Length; b++) Add(_sumDMean[b], factors.Blocks[b].Diagonal!, 1.0 / factors.Blocks[b].Count);
        for (int d = 0; d < _denseSpecs.Length; d++)
        {
            Add(_sumF[d], factors.DenseBlocks[d].F, 1.0);
            _countF[d] += factors.DenseBlocks[d].Count;
        }
        _tasks.Add(task, factors.Count);
    }

    /// <summary>Eq. 8 over every added task (e.g. to regularize a new task against all stored ones).</summary>
    /// <exception cref="InvalidOperationException">No task has been added.</exception>
    public AggregatedFactors All()
    {
        if (_tasks.Count == 0) throw new InvalidOperationException("The aggregate holds no tasks.");
        return Build(null, _tasks.Count);
    }

    /// <summary>
    /// Eq. 8 over every added task but <paramref name="task"/>: the totals minus <paramref name="own"/>'s sums, which
    /// must be the factors that were added under that name.
    /// </summary>
    /// <exception cref="ArgumentException">The task was not added, <paramref name="own"/> does not match it, or no other task remains.</exception>
    public AggregatedFactors AllBut(string task, TaskFactors own)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(own);
        if (!_tasks.TryGetValue(task, out long count)) throw new ArgumentException($"Task '{task}' is not in the aggregate.", nameof(task));
        if (count != own.Count || !SameLayout(own))
            throw new ArgumentException($"The factors given for task '{task}' are not the ones added under that name (N = {own.Count}, added N = {count}).", nameof(own));
        if (_sumDMean is not null && !own.HasDiagonal)
            throw new ArgumentException($"The factors given for task '{task}' carry no diagonals, but the ones added under that name did.", nameof(own));
        if (_tasks.Count < 2) throw new ArgumentException($"Task '{task}' is the only task; there are no other tasks to regularize against.", nameof(task));
        return Build(own, _tasks.Count - 1);
    }

    /// <summary>Eq. 8 over <paramref name="tasks"/> directly (the same as adding them all and calling <see cref="All"/>).</summary>
    public static AggregatedFactors Combine(IEnumerable<TaskFactors> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var aggregate = new FactorAggregate();
        int i = 0;
        foreach (var t in tasks) aggregate.Add($"#{i++}", t);
        return aggregate.All();
    }

    /// <summary>
    /// The per-task form (Eq. 7) over <paramref name="others"/>: per block the terms (N_u/N)·(G_u ⊗ A_u) with A_u = S^A_u/N_u,
    /// G_u = S^G_u/N_u and N = Σ_u N_u, so the penalty is Σ_u (N_u/N) tr(G_u ΔW A_u ΔWᵀ) — O(T) memory and time, for
    /// comparison; dense blocks are Σ_u (N_u/N)·S^F_u/N_u, the same F* as Eq. 8, and diagonals (when every task has them)
    /// Σ_u (N_u/N)·S^D_u/N_u.
    /// </summary>
    /// <exception cref="ArgumentException">No tasks, or tasks whose blocks or base models differ.</exception>
    public static AggregatedFactors PerTask(IEnumerable<TaskFactors> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var list = others.ToList();
        if (list.Count == 0) throw new ArgumentException("Eq. 7 needs at least one other task.", nameof(others));
        var check = new FactorAggregate();
        for (int i = 0; i < list.Count; i++) check.Add($"#{i}", list[i]); // validates layouts and counts; its totals give F*
        var blocks = new AggregatedKroneckerBlock[check._specs.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            long total = check._countA[b];
            double[]? diagonal = null;
            if (check._sumDMean is not null)
            {
                diagonal = new double[check._specs[b].GDim * check._specs[b].ADim];
                foreach (var t in list) Add(diagonal, t.Blocks[b].Diagonal!, 1.0 / total);
            }
            blocks[b] = new AggregatedKroneckerBlock(check._specs[b], [.. list.Select(t =>
            {
                var block = t.Blocks[b];
                return new KroneckerTerm((double)block.Count / total, Scaled(block.A, 1.0 / block.Count), Scaled(block.G, 1.0 / block.Count));
            })], diagonal);
        }
        var full = check.Build(null, list.Count);
        return new AggregatedFactors(AggregatedFactors.Eq7, list.Count, blocks, full.DenseBlocks, check._fingerprint);
    }

    private AggregatedFactors Build(TaskFactors? own, int tasks)
    {
        var blocks = new AggregatedKroneckerBlock[_specs.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            var ownBlock = own?.Blocks[b];
            long n = _countA[b] - (ownBlock?.Count ?? 0);
            var a = Scaled(_sumA[b], 1.0 / n);
            var g = (double[])_sumGMean[b].Clone();
            if (ownBlock is not null)
            {
                Add(a, ownBlock.A, -1.0 / n);
                Add(g, ownBlock.G, -1.0 / ownBlock.Count);
            }
            double[]? diagonal = null;
            if (_sumDMean is not null)
            {
                diagonal = (double[])_sumDMean[b].Clone();
                if (ownBlock is not null) Add(diagonal, ownBlock.Diagonal!, -1.0 / ownBlock.Count);
            }
            blocks[b] = new AggregatedKroneckerBlock(_specs[b], [new KroneckerTerm(1.0, a, g)], diagonal);
        }
        var dense = new AggregatedDenseBlock[_denseSpecs.Length];
        for (int d = 0; d < dense.Length; d++)
        {
            var ownBlock = own?.DenseBlocks[d];
            long n = _countF[d] - (ownBlock?.Count ?? 0);
            var f = Scaled(_sumF[d], 1.0 / n);
            if (ownBlock is not null) Add(f, ownBlock.F, -1.0 / n);
            dense[d] = new AggregatedDenseBlock(_denseSpecs[d], f);
        }
        return new AggregatedFactors(AggregatedFactors.Eq8, tasks, blocks, dense, _fingerprint);
    }

    private void Start(TaskFactors first)
    {
        _specs = [.. first.Blocks.Select(b => b.Spec)];
        _denseSpecs = [.. first.DenseBlocks.Select(d => d.Spec)];
        _sumA = [.. _specs.Select(s => new double[(long)s.ADim * s.ADim])];
        _sumGMean = [.. _specs.Select(s => new double[(long)s.GDim * s.GDim])];
        _sumF = [.. _denseSpecs.Select(s => new double[(long)s.Dim * s.Dim])];
        _sumDMean = first.HasDiagonal ? [.. _specs.Select(s => new double[(long)s.GDim * s.ADim])] : null;
        _countA = new long[_specs.Length];
        _countF = new long[_denseSpecs.Length];
        _fingerprint = first.BaseFingerprint;
    }

    private void CheckCompatible(string task, TaskFactors factors)
    {
        if (!SameLayout(factors))
            throw new ArgumentException($"Task '{task}' has different KFAC blocks from the tasks already added (another model, or other fusion settings).", nameof(factors));
        if (!string.Equals(_fingerprint, factors.BaseFingerprint, StringComparison.Ordinal))
            throw new ArgumentException($"Task '{task}' was estimated on base model {factors.BaseFingerprint ?? "(unrecorded)"}, the other tasks on {_fingerprint ?? "(unrecorded)"}.", nameof(factors));
    }

    private static void CheckCounts(string task, TaskFactors factors)
    {
        foreach (var b in factors.Blocks)
            if (b.Count <= 0) throw new ArgumentException($"Task '{task}': block '{b.Name}' has no samples.", nameof(factors));
        foreach (var d in factors.DenseBlocks)
            if (d.Count <= 0) throw new ArgumentException($"Task '{task}': dense block '{d.Parameter}' has no samples.", nameof(factors));
    }

    private bool SameLayout(TaskFactors factors) =>
        factors.Blocks.Count == _specs.Length && factors.DenseBlocks.Count == _denseSpecs.Length
        && factors.Blocks.Select((b, i) => b.Spec.SameAs(_specs[i])).All(x => x)
        && factors.DenseBlocks.Select((d, i) => d.Spec == _denseSpecs[i]).All(x => x);

    private static void Add(double[] target, double[] source, double scale)
    {
        for (int i = 0; i < target.Length; i++) target[i] += scale * source[i];
    }

    private static double[] Scaled(double[] source, double scale)
    {
        var result = new double[source.Length];
        for (int i = 0; i < result.Length; i++) result[i] = scale * source[i];
        return result;
    }
}
