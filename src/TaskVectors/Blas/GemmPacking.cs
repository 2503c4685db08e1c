// GemmPacking: copies blocks of op(A) and op(B) into the layouts the micro-kernel streams, so the
// kernel never sees transposes or leading dimensions (Mr×Nr is the running kernel's tile: 6×16 or 12×32):
//   A micro-panel: rows i0..i0+Mr of op(A), columns p0..p0+kc → dst[p·Mr + r]   (kc×Mr)
//   B micro-panel: rows p0..p0+kc of op(B), columns j0..j0+Nr → dst[p·Nr + j]   (kc×Nr)
// Rows or columns past the matrix edge are zero, so edge tiles run the full kernel unchanged.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TaskVectors.Blas;

/// <summary>Packing of op(A) rows into Mr-row panels and op(B) columns into Nr-column panels.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0 + r, p0 + p] for r &lt; rows (≤ mr, zero beyond), p &lt; kc into dst[p·mr + r].
    /// A is m×k (row stride lda) when not transposed, k×m when transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void APanel(float* a, int lda, bool transposed, int i0, int rows, int p0, int kc, float* dst, int mr)
    {
        if (transposed)
        {
            // op(A)[i, p] = A[p, i]: each p is a contiguous run of Mr source elements.
            float* src = a + (long)p0 * lda + i0;
            if (rows == 12 && mr == 12 && Vector256.IsHardwareAccelerated)
            {
                for (int p = 0; p < kc; p++, src += lda, dst += mr)
                {
                    Vector256.Store(Vector256.Load(src), dst);
                    Vector128.Store(Vector128.Load(src + 8), dst + 8);
                }
                return;
            }
            for (int p = 0; p < kc; p++, src += lda, dst += mr)
            {
                int r = 0;
                for (; r < rows; r++) dst[r] = src[r];
                for (; r < mr; r++) dst[r] = 0f;
            }
            return;
        }

        // op(A)[i, p] = A[i, p]: Mr rows are read side by side, one element of each per p.
        if (rows == 6 && mr == 6)
        {
            float* r0 = a + (long)i0 * lda + p0, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
            for (int p = 0; p < kc; p++, dst += mr)
            {
                dst[0] = r0[p];
                dst[1] = r1[p];
                dst[2] = r2[p];
                dst[3] = r3[p];
                dst[4] = r4[p];
                dst[5] = r5[p];
            }
            return;
        }
        // The 12-row tile with AVX: 8×8 and 4×8 blocks transposed in registers, 8 source columns at a time.
        if (rows == 12 && mr == 12 && Avx.IsSupported)
        {
            float* src = a + (long)i0 * lda + p0;
            int p = 0;
            for (; p + 8 <= kc; p += 8)
            {
                Transpose8x8(src + p, lda, dst + p * 12, 12);
                Transpose4x8(src + 8L * lda + p, lda, dst + p * 12 + 8, 12);
            }
            for (; p < kc; p++)
                for (int r = 0; r < 12; r++) dst[p * 12 + r] = src[(long)r * lda + p];
            return;
        }
        // Other tiles: row by row, each source row read contiguously.
        for (int r = 0; r < mr; r++)
        {
            float* d = dst + r;
            if (r >= rows)
            {
                for (int p = 0; p < kc; p++) d[p * mr] = 0f;
                continue;
            }
            float* src = a + (long)(i0 + r) * lda + p0;
            for (int p = 0; p < kc; p++) d[p * mr] = src[p];
        }
    }

    /// <summary>
    /// Packs op(B)[p0 + p, j0 + j] for p &lt; kc, j &lt; cols (≤ nr, a multiple of 8; zero beyond) into dst[p·nr + j].
    /// B is k×n (row stride ldb) when not transposed, n×k when transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BPanel(float* b, int ldb, bool transposed, int p0, int kc, int j0, int cols, float* dst, int nr)
    {
        if (!transposed)
        {
            // op(B)[p, j] = B[p, j]: each p is a contiguous run of Nr source elements.
            float* src = b + (long)p0 * ldb + j0;
            if (cols == nr && Vector256.IsHardwareAccelerated)
            {
                for (int p = 0; p < kc; p++, src += ldb, dst += nr)
                    for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
                return;
            }
            for (int p = 0; p < kc; p++, src += ldb, dst += nr)
            {
                int j = 0;
                for (; j < cols; j++) dst[j] = src[j];
                for (; j < nr; j++) dst[j] = 0f;
            }
            return;
        }

        // op(B)[p, j] = B[j, p]: Nr source rows are read side by side, one element of each per p.
        if (cols == nr)
        {
            TransposedFullPanel(b + (long)j0 * ldb + p0, ldb, kc, dst, nr);
            return;
        }
        for (int p = 0; p < kc; p++, dst += nr)
        {
            int j = 0;
            for (; j < cols; j++) dst[j] = b[(long)(j0 + j) * ldb + p0 + p];
            for (; j < nr; j++) dst[j] = 0f;
        }
    }

    // Nr source rows, kc elements each, written column-wise: dst[p·Nr + j] = src[j·ld + p].
    // With AVX, 8×8 blocks are transposed in registers so each source row is read 8 floats at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposedFullPanel(float* src, int ld, int kc, float* dst, int nr)
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
                for (int j = 0; j < nr; j += 8) Transpose8x8(src + (long)j * ld + p, ld, dst + p * nr + j, nr);
        }
        for (; p < kc; p++)
        {
            float* s = src + p;
            float* d = dst + p * nr;
            for (int j = 0; j < nr; j++) d[j] = s[(long)j * ld];
        }
    }

    // d[q·ldd + r] = s[r·lds + q] for r, q < 8: unpack pairs, shuffle quads, swap 128-bit halves.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8x8(float* s, int lds, float* d, int ldd)
    {
        long l = lds;
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + l);
        var r2 = Avx.LoadVector256(s + 2 * l);
        var r3 = Avx.LoadVector256(s + 3 * l);
        var r4 = Avx.LoadVector256(s + 4 * l);
        var r5 = Avx.LoadVector256(s + 5 * l);
        var r6 = Avx.LoadVector256(s + 6 * l);
        var r7 = Avx.LoadVector256(s + 7 * l);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    // d[q·ldd + r] = s[r·lds + q] for r < 4, q < 8: as Transpose8x8's first two steps, then 128-bit halves stored.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose4x8(float* s, int lds, float* d, int ldd)
    {
        long l = lds;
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + l);
        var r2 = Avx.LoadVector256(s + 2 * l);
        var r3 = Avx.LoadVector256(s + 3 * l);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        Sse.Store(d, u0.GetLower());
        Sse.Store(d + ldd, u1.GetLower());
        Sse.Store(d + 2 * ldd, u2.GetLower());
        Sse.Store(d + 3 * ldd, u3.GetLower());
        Sse.Store(d + 4 * ldd, u0.GetUpper());
        Sse.Store(d + 5 * ldd, u1.GetUpper());
        Sse.Store(d + 6 * ldd, u2.GetUpper());
        Sse.Store(d + 7 * ldd, u3.GetUpper());
    }
}
