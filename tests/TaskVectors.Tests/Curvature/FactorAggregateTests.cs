// Tests of FactorAggregate: "all but t" from running totals equals Eq. 8 computed by brute force over the
// other tasks, for every t; Combine and All agree with it; the per-task form (Eq. 7) has the right terms;
// incompatible or unknown tasks are refused.
using TaskVectors.Curvature;

namespace TaskVectors.Tests.Curvature;

public sealed class FactorAggregateTests
{
    private static readonly long[] Counts = [3, 5, 8, 2];

    private static (FactorAggregate Aggregate, TaskFactors[] Tasks) Four()
    {
        var tasks = Counts.Select((n, i) => SyntheticFactors.Random((ulong)(10 + i), n, diagonal: true)).ToArray();
        var aggregate = new FactorAggregate();
        for (int i = 0; i < tasks.Length; i++) aggregate.Add($"task{i}", tasks[i]);
        return (aggregate, tasks);
    }

    // Eq. 8 directly: A* = Σ S^A / Σ N, G* = Σ S^G / N, F* = Σ S^F / Σ N, D* = Σ S^D / N over the given tasks.
    private static void ShouldBeEq8(AggregatedFactors actual, IReadOnlyList<TaskFactors> others)
    {
        actual.Form.ShouldBe(AggregatedFactors.Eq8);
        actual.Tasks.ShouldBe(others.Count);
        for (int b = 0; b < actual.Blocks.Count; b++)
        {
            var spec = actual.Blocks[b].Spec;
            double n = others.Sum(t => t.Blocks[b].Count);
            var a = new double[spec.ADim * spec.ADim];
            var g = new double[spec.GDim * spec.GDim];
            foreach (var t in others)
            {
                for (int i = 0; i < a.Length; i++) a[i] += t.Blocks[b].A[i] / n;
                for (int i = 0; i < g.Length; i++) g[i] += t.Blocks[b].G[i] / t.Blocks[b].Count;
            }
            var term = actual.Blocks[b].Terms.ShouldHaveSingleItem();
            term.Weight.ShouldBe(1.0);
            Dense.ShouldBeClose(term.A, a, spec.ADim, 1e-12, spec.Name + " A*");
            Dense.ShouldBeClose(term.G, g, spec.GDim, 1e-12, spec.Name + " G*");
            var diagonal = new double[spec.GDim * spec.ADim];
            foreach (var t in others)
                for (int i = 0; i < diagonal.Length; i++) diagonal[i] += t.Blocks[b].Diagonal![i] / t.Blocks[b].Count;
            Dense.ShouldBeClose(actual.Blocks[b].Diagonal!, diagonal, spec.GDim, spec.ADim, 1e-12, spec.Name + " D*");
        }
        for (int d = 0; d < actual.DenseBlocks.Count; d++)
        {
            int dim = actual.DenseBlocks[d].Spec.Dim;
            double n = others.Sum(t => t.DenseBlocks[d].Count);
            var f = new double[dim * dim];
            foreach (var t in others)
                for (int i = 0; i < f.Length; i++) f[i] += t.DenseBlocks[d].F[i] / n;
            Dense.ShouldBeClose(actual.DenseBlocks[d].F, f, dim, 1e-12, actual.DenseBlocks[d].Spec.Parameter + " F*");
        }
    }

    [Fact]
    public void AllBut_EveryTask_EqualsEq8OverTheOthers()
    {
        var (aggregate, tasks) = Four();
        for (int t = 0; t < tasks.Length; t++)
        {
            var others = tasks.Where((_, i) => i != t).ToList();
            var result = aggregate.AllBut($"task{t}", tasks[t]);
            ShouldBeEq8(result, others);
            result.BaseFingerprint.ShouldBe(SyntheticFactors.Fingerprint);
        }
    }

    [Fact]
    public void AllAndCombine_EqualEq8OverTheirTasks()
    {
        var (aggregate, tasks) = Four();
        ShouldBeEq8(aggregate.All(), tasks);
        ShouldBeEq8(FactorAggregate.Combine(tasks.Skip(1)), tasks.Skip(1).ToList());
        aggregate.Tasks.ShouldBe(["task0", "task1", "task2", "task3"], ignoreOrder: true);
    }

    [Fact]
    public void PerTask_TermsAreCountWeightedPerTaskMeans()
    {
        var (_, tasks) = Four();
        var others = tasks.Take(3).ToList();
        var eq7 = FactorAggregate.PerTask(others);
        eq7.Form.ShouldBe(AggregatedFactors.Eq7);
        double total = others.Sum(t => t.Count);
        for (int b = 0; b < eq7.Blocks.Count; b++)
        {
            var terms = eq7.Blocks[b].Terms;
            terms.Count.ShouldBe(3);
            for (int u = 0; u < 3; u++)
            {
                var block = others[u].Blocks[b];
                terms[u].Weight.ShouldBe(block.Count / total, 1e-15);
                Dense.ShouldBeClose(terms[u].A, [.. block.A.Select(v => v / block.Count)], block.Spec.ADim, 1e-15, "A_u");
                Dense.ShouldBeClose(terms[u].G, [.. block.G.Select(v => v / block.Count)], block.Spec.GDim, 1e-15, "G_u");
            }
        }
        // Dense blocks: Σ_u (N_u/N)·S^F_u/N_u = Σ_u S^F_u / N, the same as Eq. 8.
        var eq8 = FactorAggregate.Combine(others);
        for (int d = 0; d < eq7.DenseBlocks.Count; d++)
            Dense.ShouldBeClose(eq7.DenseBlocks[d].F, eq8.DenseBlocks[d].F, 3, 1e-14, "F*");
        // Diagonals: Σ_u (N_u/N)·S^D_u/N_u = Σ_u S^D_u / N.
        for (int b = 0; b < eq7.Blocks.Count; b++)
        {
            var spec = eq7.Blocks[b].Spec;
            var expected = new double[spec.GDim * spec.ADim];
            foreach (var t in others)
                for (int i = 0; i < expected.Length; i++) expected[i] += t.Blocks[b].Diagonal![i] / total;
            Dense.ShouldBeClose(eq7.Blocks[b].Diagonal!, expected, spec.GDim, spec.ADim, 1e-14, spec.Name + " D (Eq. 7)");
        }
    }

    [Fact]
    public void Diagonals_MissingInOneTask_AggregateHasNone()
    {
        var aggregate = new FactorAggregate();
        aggregate.Add("a", SyntheticFactors.Random(1, 3, diagonal: true));
        aggregate.Add("b", SyntheticFactors.Random(2, 4));
        aggregate.Add("c", SyntheticFactors.Random(3, 5, diagonal: true));
        aggregate.All().Blocks.ShouldAllBe(b => b.Diagonal == null);
        FactorAggregate.PerTask([SyntheticFactors.Random(1, 3, diagonal: true), SyntheticFactors.Random(2, 4)]).Blocks.ShouldAllBe(b => b.Diagonal == null);
        Should.Throw<ArgumentException>(() => new DiagonalGgnRegularizer(aggregate.All())).Message.ShouldContain("KfacOptions.Diagonal");
    }

    [Fact]
    public void Eq8_ManyTasks_StaysOneTermPerBlock()
    {
        var aggregate = new FactorAggregate();
        for (int i = 0; i < 12; i++) aggregate.Add($"t{i}", SyntheticFactors.Random((ulong)i, 2));
        aggregate.All().Blocks.ShouldAllBe(b => b.Terms.Count == 1);
    }

    [Fact]
    public void Add_IncompatibleTasks_Refused()
    {
        var aggregate = new FactorAggregate();
        aggregate.Add("a", SyntheticFactors.Random(1, 3));
        Should.Throw<ArgumentException>(() => aggregate.Add("a", SyntheticFactors.Random(2, 3))).Message.ShouldContain("already");
        Should.Throw<ArgumentException>(() => aggregate.Add("b", SyntheticFactors.Random(2, 3, fingerprint: "beef"))).Message.ShouldContain("base model");
        var other = SyntheticFactors.Random(3, 3);
        var fewer = new TaskFactors(other.Blocks.Take(2).ToList(), other.DenseBlocks, 3, other.Metadata);
        Should.Throw<ArgumentException>(() => aggregate.Add("c", fewer)).Message.ShouldContain("different KFAC blocks");
        var empty = new TaskFactors([new KroneckerBlock(SyntheticFactors.Blocks[0])], [], 0, other.Metadata);
        Should.Throw<ArgumentException>(() => new FactorAggregate().Add("d", empty)).Message.ShouldContain("no samples");
    }

    [Fact]
    public void AllBut_UnknownOrMismatchedOrOnlyTask_Refused()
    {
        var single = new FactorAggregate();
        var a = SyntheticFactors.Random(1, 3);
        single.Add("a", a);
        Should.Throw<ArgumentException>(() => single.AllBut("a", a)).Message.ShouldContain("only task");
        Should.Throw<InvalidOperationException>(() => new FactorAggregate().All());

        var (aggregate, tasks) = Four();
        Should.Throw<ArgumentException>(() => aggregate.AllBut("nope", tasks[0])).Message.ShouldContain("not in the aggregate");
        Should.Throw<ArgumentException>(() => aggregate.AllBut("task0", tasks[1])).Message.ShouldContain("not the ones added");
    }
}
