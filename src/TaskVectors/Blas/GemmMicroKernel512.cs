// GemmMicroKernel512: the AVX-512 register tile of ManagedGemm. Given a packed A micro-panel (kc×Mr,
// element (p, i) at a[p·Mr + i]) and a packed B micro-panel (kc×Nr, element (p, j) at b[p·Nr + j]) it computes
//   C[i, j] ← α · Σ_{p<kc} a(p, i)·b(p, j) + β · S[i, j]   for i < rows ≤ Mr = 12, j < cols ≤ Nr = 32,
// with C's row stride ldc and S read from src with row stride lds (S = C: src = c, lds = ldc; a bias row
// for every row: lds = 0), and never reads S when β = 0. The 12×32 tile keeps 24 Vector512 accumulators,
// 2 B vectors and 1 broadcast of A in registers (27 of AVX-512's 32 zmm): 24 FMAs per 2 loads + 12
// broadcasts, enough independent sums to cover the FMA latency on two 512-bit pipes.
// Each sum is one fused multiply-add per p in increasing p, then α·sum + β·C exactly as the 6×16
// Vector256 FMA kernel does it, so the two kernels give bit-identical C (which one runs never shows).
// FusedRows reads A in place instead of a packed panel (element (i, p) at a[i·rowStride + p·pStride]: lda and 1 for a
// row-major op(A), 1 and lda for a transposed one); one k loop, addressing A by the two strides, serves all three.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TaskVectors.Blas;

/// <summary>The 12×32 Vector512 FMA micro-kernel.</summary>
internal static unsafe class GemmMicroKernel512
{
    /// <summary>Rows of the register tile (and of a packed A micro-panel).</summary>
    public const int Mr = 12;

    /// <summary>Columns of the register tile (and of a packed B micro-panel): two Vector512.</summary>
    public const int Nr = 32;

    /// <summary>The tile with Vector512 fused multiply-adds (needs AVX-512F) over a packed A micro-panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fused(int kc, float* a, float* b, float* c, int ldc, float* src, int lds, int rows, int cols, float alpha, float beta) =>
        FusedRows(kc, a, 1, Mr, b, c, ldc, src, lds, rows, cols, alpha, beta);

    // C ← α·acc + β·S over the tile's rows × cols.
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(float* c, int ldc, float* src, int lds, int rows, int cols, float* acc, float alpha, float beta)
    {
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        if (rows == Mr && cols == Nr)
        {
            for (int i = 0; i < Mr; i++) StoreRow(c + (long)i * ldc, acc + i * Nr, src + (long)i * lds, va, vb, beta);
            return;
        }

        // Edge tiles go through a full-size scratch tile so every C element sees the same
        // arithmetic (bit for bit) whether it sits in a full or a partial tile.
        float* t = stackalloc float[Mr * Nr];
        if (beta != 0f) GemmMicroKernel.CopyTile(src, lds, t, Nr, rows, cols);
        for (int i = 0; i < Mr; i++) StoreRow(t + i * Nr, acc + i * Nr, t + i * Nr, va, vb, beta);
        GemmMicroKernel.CopyTile(t, Nr, c, ldc, rows, cols);
    }

    /// <summary>
    /// <see cref="Fused"/> reading A in place: element (i, p) of the tile's A is a[i·rowStride + p·pStride] (no packing).
    /// The sums are the same fused multiply-adds in the same order, so C is bit-identical to the packed kernel's.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FusedRows(int kc, float* a, long rowStride, long pStride, float* b, float* c, int ldc, float* src, int lds, int rows, int cols, float alpha, float beta)
    {
        // The sums leave registers through a scratch tile, keeping the k loop free of spills.
        float* acc = stackalloc float[Mr * Nr];
        for (int i = 0; i < rows; i++)
        {
            // Start fetching the C tile now; it is needed only after the k loop.
            Sse.Prefetch0(src + (long)i * lds);
            Sse.Prefetch0(src + (long)i * lds + cols - 1);
        }
        Accumulate(kc, a, rowStride, pStride, rows, b, acc);
        Store(c, ldc, src, lds, rows, cols, acc, alpha, beta);
    }

    // acc[i·Nr + j] = Σ_p A(i, p)·b[p·Nr + j] with A(i, p) = a[i·rowStride + p·pStride] (a packed micro-panel: 1 and Mr;
    // row-major A read in place: lda and 1): 24 accumulators, 2 B loads and 12 broadcasts per p. Rows past `rows`
    // repeat the last row (their sums are never stored).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(int kc, float* a, long rowStride, long pStride, int rows, float* b, float* acc)
    {
        long ld = rowStride, last = rows - 1;
        float* a0 = a, a1 = a + Math.Min(1, last) * ld, a2 = a + Math.Min(2, last) * ld, a3 = a + Math.Min(3, last) * ld;
        float* a4 = a + Math.Min(4, last) * ld, a5 = a + Math.Min(5, last) * ld, a6 = a + Math.Min(6, last) * ld, a7 = a + Math.Min(7, last) * ld;
        float* a8 = a + Math.Min(8, last) * ld, a9 = a + Math.Min(9, last) * ld, a10 = a + Math.Min(10, last) * ld, a11 = a + Math.Min(11, last) * ld;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (long p = 0, o = 0; p < kc; p++, o += pStride)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a0[o]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a1[o]);
            c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a2[o]);
            c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a3[o]);
            c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a4[o]);
            c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a5[o]);
            c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a6[o]);
            c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a7[o]);
            c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            ai = Vector512.Create(a8[o]);
            c80 = Avx512F.FusedMultiplyAdd(ai, b0, c80);
            c81 = Avx512F.FusedMultiplyAdd(ai, b1, c81);
            ai = Vector512.Create(a9[o]);
            c90 = Avx512F.FusedMultiplyAdd(ai, b0, c90);
            c91 = Avx512F.FusedMultiplyAdd(ai, b1, c91);
            ai = Vector512.Create(a10[o]);
            c100 = Avx512F.FusedMultiplyAdd(ai, b0, c100);
            c101 = Avx512F.FusedMultiplyAdd(ai, b1, c101);
            ai = Vector512.Create(a11[o]);
            c110 = Avx512F.FusedMultiplyAdd(ai, b0, c110);
            c111 = Avx512F.FusedMultiplyAdd(ai, b1, c111);
            b += Nr;
        }
        Vector512.Store(c00, acc + 0);
        Vector512.Store(c01, acc + 16);
        Vector512.Store(c10, acc + 32);
        Vector512.Store(c11, acc + 48);
        Vector512.Store(c20, acc + 64);
        Vector512.Store(c21, acc + 80);
        Vector512.Store(c30, acc + 96);
        Vector512.Store(c31, acc + 112);
        Vector512.Store(c40, acc + 128);
        Vector512.Store(c41, acc + 144);
        Vector512.Store(c50, acc + 160);
        Vector512.Store(c51, acc + 176);
        Vector512.Store(c60, acc + 192);
        Vector512.Store(c61, acc + 208);
        Vector512.Store(c70, acc + 224);
        Vector512.Store(c71, acc + 240);
        Vector512.Store(c80, acc + 256);
        Vector512.Store(c81, acc + 272);
        Vector512.Store(c90, acc + 288);
        Vector512.Store(c91, acc + 304);
        Vector512.Store(c100, acc + 320);
        Vector512.Store(c101, acc + 336);
        Vector512.Store(c110, acc + 352);
        Vector512.Store(c111, acc + 368);
    }

    // One tile row from the sums s: t ← α·s (β = 0, u not read), α·s + u (β = 1: the later k blocks, or a bias row),
    // or α·s + β·u; the same operations as GemmMicroKernel's row store, 16 lanes at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* t, float* s, float* u, Vector512<float> va, Vector512<float> vb, float beta)
    {
        var lo = Vector512.Load(s);
        var hi = Vector512.Load(s + 16);
        if (beta == 0f)
        {
            Vector512.Store(lo * va, t);
            Vector512.Store(hi * va, t + 16);
        }
        else if (beta == 1f)
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(lo, va, Vector512.Load(u)), t);
            Vector512.Store(Avx512F.FusedMultiplyAdd(hi, va, Vector512.Load(u + 16)), t + 16);
        }
        else
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(lo, va, vb * Vector512.Load(u)), t);
            Vector512.Store(Avx512F.FusedMultiplyAdd(hi, va, vb * Vector512.Load(u + 16)), t + 16);
        }
    }
}
