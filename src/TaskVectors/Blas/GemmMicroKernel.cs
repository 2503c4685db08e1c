// GemmMicroKernel: the register tile of ManagedGemm. Given a packed A micro-panel (kc×Mr, element
// (p, i) at a[p·Mr + i]) and a packed B micro-panel (kc×Nr, element (p, j) at b[p·Nr + j]) it computes
//   C[i, j] ← α · Σ_{p<kc} a(p, i)·b(p, j) + β · S[i, j]   for i < rows ≤ Mr, j < cols ≤ Nr,
// with C's row stride ldc and S read from src with row stride lds (S = C: src = c, lds = ldc; a bias row
// for every row: lds = 0), and never reads S when β = 0. The 6×16 tile keeps 12 Vector256
// accumulators, 2 B vectors and 1 broadcast of A in registers: the 16 ymm registers of AVX2.
// Hot methods here are AggressiveOptimization: tier-0 code of intrinsics is over 10× slower, and a
// GEMM's first calls would otherwise run (and be timed) in it until tiering catches up.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TaskVectors.Blas;

/// <summary>The Mr×Nr micro-kernels (Vector256 generic over the multiply-add, and scalar).</summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>Rows of the register tile (and of a packed A micro-panel).</summary>
    public const int Mr = 6;

    /// <summary>Columns of the register tile (and of a packed B micro-panel): two Vector256.</summary>
    public const int Nr = 16;

    /// <summary>The tile with Vector256 arithmetic; <typeparamref name="TOp"/> picks FMA or multiply+add.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Vector<TOp>(int kc, float* a, float* b, float* c, int ldc, float* src, int lds, int rows, int cols, float alpha, float beta)
        where TOp : struct, IVectorMultiplyAdd
    {
        // The sums leave registers through a scratch tile: with the write-out in the same method the
        // JIT spilled all 12 accumulators inside the k loop.
        float* acc = stackalloc float[Mr * Nr];
        if (Sse.IsSupported)
        {
            // Start fetching the C tile now; it is needed only after the k loop.
            for (int i = 0; i < rows; i++)
            {
                Sse.Prefetch0(src + (long)i * lds);
                Sse.Prefetch0(src + (long)i * lds + cols - 1);
            }
        }
        Accumulate<TOp>(kc, a, b, acc);
        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        if (rows == Mr && cols == Nr)
        {
            for (int i = 0; i < Mr; i++) StoreRow<TOp>(c + (long)i * ldc, acc + i * Nr, src + (long)i * lds, va, vb, beta);
            return;
        }

        // Edge tiles go through a full-size scratch tile so every C element sees the same
        // arithmetic (bit for bit) whether it sits in a full or a partial tile.
        float* t = stackalloc float[Mr * Nr];
        if (beta != 0f) CopyTile(src, lds, t, Nr, rows, cols);
        for (int i = 0; i < Mr; i++) StoreRow<TOp>(t + i * Nr, acc + i * Nr, t + i * Nr, va, vb, beta);
        CopyTile(t, Nr, c, ldc, rows, cols);
    }

    // acc[i·Nr + j] = Σ_p a[p·Mr + i]·b[p·Nr + j]: 12 accumulators, 2 B loads and 6 broadcasts per p.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TOp>(int kc, float* a, float* b, float* acc)
        where TOp : struct, IVectorMultiplyAdd
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]);
            c00 = TOp.Invoke(ai, b0, c00);
            c01 = TOp.Invoke(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = TOp.Invoke(ai, b0, c10);
            c11 = TOp.Invoke(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = TOp.Invoke(ai, b0, c20);
            c21 = TOp.Invoke(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = TOp.Invoke(ai, b0, c30);
            c31 = TOp.Invoke(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = TOp.Invoke(ai, b0, c40);
            c41 = TOp.Invoke(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = TOp.Invoke(ai, b0, c50);
            c51 = TOp.Invoke(ai, b1, c51);
            a += Mr;
            b += Nr;
        }
        Vector256.Store(c00, acc);
        Vector256.Store(c01, acc + 8);
        Vector256.Store(c10, acc + 16);
        Vector256.Store(c11, acc + 24);
        Vector256.Store(c20, acc + 32);
        Vector256.Store(c21, acc + 40);
        Vector256.Store(c30, acc + 48);
        Vector256.Store(c31, acc + 56);
        Vector256.Store(c40, acc + 64);
        Vector256.Store(c41, acc + 72);
        Vector256.Store(c50, acc + 80);
        Vector256.Store(c51, acc + 88);
    }

    /// <summary>The same tile in scalar arithmetic, for hardware without Vector256 acceleration.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scalar(int kc, float* a, float* b, float* c, int ldc, float* src, int lds, int rows, int cols, float alpha, float beta)
    {
        float* acc = stackalloc float[Mr * Nr];
        new Span<float>(acc, Mr * Nr).Clear();
        for (int p = 0; p < kc; p++, a += Mr, b += Nr)
        {
            for (int i = 0; i < Mr; i++)
            {
                float ai = a[i];
                float* row = acc + i * Nr;
                for (int j = 0; j < Nr; j++) row[j] += ai * b[j];
            }
        }
        for (int i = 0; i < rows; i++)
        {
            float* ci = c + (long)i * ldc;
            float* ti = acc + i * Nr, si = src + (long)i * lds;
            for (int j = 0; j < cols; j++) ci[j] = beta == 0f ? alpha * ti[j] : alpha * ti[j] + beta * si[j];
        }
    }

    // One tile row from the sums s: t ← α·s (β = 0, u not read), α·s + u (β = 1: the later k blocks, or a bias row),
    // or α·s + β·u.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOp>(float* t, float* s, float* u, Vector256<float> va, Vector256<float> vb, float beta)
        where TOp : struct, IVectorMultiplyAdd
    {
        var lo = Vector256.Load(s);
        var hi = Vector256.Load(s + 8);
        if (beta == 0f)
        {
            Vector256.Store(lo * va, t);
            Vector256.Store(hi * va, t + 8);
        }
        else if (beta == 1f)
        {
            Vector256.Store(TOp.Invoke(lo, va, Vector256.Load(u)), t);
            Vector256.Store(TOp.Invoke(hi, va, Vector256.Load(u + 8)), t + 8);
        }
        else
        {
            Vector256.Store(TOp.Invoke(lo, va, vb * Vector256.Load(u)), t);
            Vector256.Store(TOp.Invoke(hi, va, vb * Vector256.Load(u + 8)), t + 8);
        }
    }

    /// <summary>Copies a rows×cols block between row strides (edge tiles through their scratch tile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyTile(float* from, int ldFrom, float* to, int ldTo, int rows, int cols)
    {
        for (int i = 0; i < rows; i++)
            new ReadOnlySpan<float>(from + (long)i * ldFrom, cols).CopyTo(new Span<float>(to + (long)i * ldTo, cols));
    }
}
