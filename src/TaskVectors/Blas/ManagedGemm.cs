// ManagedGemm: C (m×n, ldc) = α·op(A) (m×k)·op(B) (k×n) + β·C in C#, GotoBLAS/BLIS style.
// Loops, outermost first: k in passes of whole Kc blocks (as many as GemmBlocking.PackedABudget allows,
// usually all), rows of op(A) in chunks of McOuter; for each, one parallel pass packs the A chunk into
// Mr-row panels (every k block of the pass) and one parallel pass runs column blocks of C, each walking
// the k blocks in order, packing its op(B) columns into Nr-column panels and calling the micro-kernel
// (a 6×16 Vector256 tile, or 12×32 Vector512 where GemmKernelChoice finds it faster). The Vector512 tile reads
// op(A) in place instead, transposed or not (no A packing pass). A bias row, when given, is the β = 1 operand of the
// first k block's tiles (fused epilogue).
// k is never split across threads and the k blocks do not depend on the thread count, so results
// are bit-identical for any number of threads.
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>
/// Managed single-precision GEMM: C[i, j] ← α · Σ_p op(A)[i, p] · op(B)[p, j] + β · C[i, j],
/// row-major with the storage rules of <see cref="IGemm"/>. op(B) is packed into cache-sized panels (transposes and
/// leading dimensions are resolved there); the product runs in a 12×32 Vector512 FMA register tile that reads op(A) in
/// place where AVX-512 is accelerated and measured faster at first use, else in a 6×16 Vector256 tile over packed op(A)
/// panels (FMA when the CPU has it, multiply+add otherwise, scalar without Vector256 acceleration), and the work is
/// spread over <see cref="ParallelLoop"/>'s threads. The Vector512 and Vector256 FMA tiles give bit-identical results.
/// Each C element is accumulated over k in a fixed order whatever the thread count, so results are
/// deterministic. When β = 0, C is not read; when k = 0 or α = 0, C ← β·C and A, B are not read.
/// Packing buffers are per calling thread and reused, so repeated calls allocate nothing.
/// Safe to call from several threads at once and from inside a <see cref="ParallelLoop"/> body.
/// </summary>
internal sealed unsafe class ManagedGemm : IGemm
{
    private readonly bool _singleThreaded;
    private readonly int _mr, _nr;
    private readonly delegate*<int, float*, float*, float*, int, float*, int, int, int, float, float, void> _kernel;
    private readonly delegate*<int, float*, long, long, float*, float*, int, float*, int, int, int, float, float, void> _rowsKernel;

    /// <summary>
    /// Creates a provider; tests use it to force one thread, a slower kernel, or (<paramref name="packA"/>) packing of A
    /// where the kernel could read it in place.
    /// </summary>
    internal ManagedGemm(bool singleThreaded, GemmKernelKind kernel, bool packA = false)
    {
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"The {kernel} GEMM kernel needs hardware this CPU lacks.");
        _singleThreaded = singleThreaded;
        Kernel = kernel;
        (_mr, _nr) = kernel == GemmKernelKind.Fused512
            ? (GemmMicroKernel512.Mr, GemmMicroKernel512.Nr)
            : (GemmMicroKernel.Mr, GemmMicroKernel.Nr);
        _kernel = kernel switch
        {
            GemmKernelKind.Fused512 => &GemmMicroKernel512.Fused,
            GemmKernelKind.Fused => &GemmMicroKernel.Vector<FusedMultiplyAdd>,
            GemmKernelKind.Separate => &GemmMicroKernel.Vector<SeparateMultiplyAdd>,
            _ => &GemmMicroKernel.Scalar,
        };
        if (kernel == GemmKernelKind.Fused512 && !packA) _rowsKernel = &GemmMicroKernel512.FusedRows;
    }

    /// <summary>The shared instance: every <see cref="ParallelLoop"/> thread, the best kernel of this CPU.</summary>
    public static ManagedGemm Instance { get; } = new(singleThreaded: false, BestKernel);

    /// <inheritdoc />
    public string Name => "managed";

    /// <summary>"managed, kernel Fused512 12x32" and the like: the micro-kernel and its register tile.</summary>
    public string Description => $"managed, kernel {Kernel} {_mr}x{_nr}";

    /// <summary>The micro-kernel this instance runs.</summary>
    internal GemmKernelKind Kernel { get; }

    /// <summary>The fastest micro-kernel this CPU runs (see <see cref="GemmKernelChoice"/>).</summary>
    internal static GemmKernelKind BestKernel => GemmKernelChoice.Best;

    /// <summary>Rows of this instance's register tile (6, or 12 for the Vector512 kernel).</summary>
    internal int TileRows => _mr;

    /// <summary>Columns of this instance's register tile (16, or 32 for the Vector512 kernel).</summary>
    internal int TileColumns => _nr;

    /// <summary>Whether this CPU can run <paramref name="kind"/>.</summary>
    internal static bool IsSupported(GemmKernelKind kind) => GemmKernelChoice.IsSupported(kind);

    /// <inheritdoc />
    public void Sgemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, lower: false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The GEMM C = α·AᵀA + β·C on the same tile grid, skipping every register tile that lies wholly above the diagonal
    /// (about half the work for large n), so each lower-triangle entry is bit-identical to the full product's. Tiles
    /// that cross the diagonal are computed whole: entries just above it are overwritten, as the contract allows.
    /// </remarks>
    public void SsyrkLower(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        GemmSyrk.Validate(n, k, a.Length, lda, c.Length, ldc);
        Multiply(Transpose.Transpose, Transpose.None, n, n, k, alpha, a, lda, a, lda, beta, c, ldc, lower: true);
    }

    /// <inheritdoc />
    /// <remarks>Fused: the first k block's tiles read the bias row in place of C (β = 1), so C is written once.</remarks>
    public void SgemmBias(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m != 0 && bias.Length != n) throw new ArgumentException($"Bias of {bias.Length} elements does not match n = {n}.", nameof(bias));
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            GemmBias.Broadcast(bias, m, n, c, ldc);
            return;
        }
        fixed (float* pbias = bias)
            Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, 1f, c, ldc, lower: false, pbias);
    }

    // The product of Sgemm; with lower set, tiles wholly above the diagonal of C are left alone; with a bias, C's rows
    // start from it (the first k block's tiles add α·A·B to the bias row with β = 1 instead of reading C).
    private void Multiply(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, bool lower, float* bias = null)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            GemmEdge.ScaleC(m, n, beta, c, ldc);
            return;
        }

        bool parallel = !_singleThreaded && (long)m * n * k >= GemmBlocking.ParallelThreshold;
        int minItems = parallel ? GemmBlocking.ItemsPerThread * ParallelLoop.Threads : 1;
        int kcMax = GemmBlocking.Split(k, GemmBlocking.Kc, 1);
        int mr = _mr, nr = _nr;
        // A kernel that reads op(A) in place: no packing, one compute loop over all rows and k blocks.
        bool direct = _rowsKernel != null;
        int mcMax = direct ? m : Math.Min(m, GemmBlocking.McOuter);
        // The A chunk of one pass holds as many k blocks as the budget allows (all of them for the usual widths), so a
        // GEMM is one packing loop and one compute loop rather than two loops per k block.
        long blockFloats = (long)GemmBlocking.CeilDiv(mcMax, mr) * mr * kcMax;
        int kBlocksPerPass = direct ? GemmBlocking.CeilDiv(k, kcMax)
            : (int)Math.Clamp(GemmBlocking.PackedABudget / blockFloats, 1, GemmBlocking.CeilDiv(k, kcMax));
        int kPass = kBlocksPerPass * kcMax;
        float* packedA = direct ? null : GemmWorkspace.Current.EnsureA(blockFloats * kBlocksPerPass);

        // Work items are column blocks of C (each packs its own B columns), and also row parts
        // when there are too few columns to keep every thread busy.
        int colBlock = GemmBlocking.Split(n, GemmBlocking.Nb, nr, minItems);
        int colBlocks = GemmBlocking.CeilDiv(n, colBlock);

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var pack = new GemmPackABody { A = pa, PackedA = packedA, Lda = lda, TransA = transA != Transpose.None, Mr = mr, KcMax = kcMax, BlockFloats = blockFloats };
            var compute = new GemmComputeBody
            {
                Kernel = _kernel, RowsKernel = direct ? _rowsKernel : null, A = pa, Lda = lda, TransA = transA != Transpose.None,
                B = pb, PackedA = packedA, C = pc, Bias = bias, Ldb = ldb, Ldc = ldc, N = n, KcMax = kcMax, BlockFloats = blockFloats,
                ColBlock = colBlock, ColBlocks = colBlocks, Mr = mr, Nr = nr, TransB = transB != Transpose.None, Alpha = alpha, Lower = lower,
            };
            for (int p0 = 0; p0 < k; p0 += kPass)
            {
                int kp = Math.Min(kPass, k - p0);
                for (int ic0 = 0; ic0 < m; ic0 += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic0);
                    if (!direct)
                    {
                        pack.Pc = p0;
                        pack.K = kp;
                        pack.Ic0 = ic0;
                        pack.Mc = mc;
                        Run(parallel, pack.Items, pack);
                    }

                    compute.Pc = p0;
                    compute.K = kp;
                    compute.Ic0 = ic0;
                    compute.Mc = mc;
                    compute.Beta = p0 == 0 ? beta : 1f; // later k blocks add to the partial sums
                    compute.First = p0 == 0;
                    compute.RowPart = GemmBlocking.Split(mc, mc, mr, GemmBlocking.CeilDiv(minItems, colBlocks));
                    Run(parallel, compute.Items, compute);
                }
            }
        }
    }

    private static void Run<TBody>(bool parallel, int count, TBody body) where TBody : struct, ILoopBody
    {
        if (parallel)
        {
            ParallelLoop.For(count, body);
            return;
        }
        for (int i = 0; i < count; i++) body.Invoke(i);
    }
}
