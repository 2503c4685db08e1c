// Tests of GemmPacking: every A and B micro-panel layout (both tiles, both transposes, full and edge panels,
// k lengths around the 8-column register-transpose blocks, padded leading dimensions) equals a naive copy
// element by element (a copy is exact, so bits must match), and the zero fill beyond the matrix edge.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Blas;

public unsafe class GemmPackingTests
{
    public static TheoryData<int, int, int, bool> APanelCases()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int mr in new[] { 6, 12 })
            foreach (int rows in new[] { mr, mr - 1, 1 })
                foreach (int kc in new[] { 1, 7, 8, 9, 16, 23, 256 })
                    foreach (bool transposed in new[] { false, true })
                        data.Add(mr, rows, kc, transposed);
        return data;
    }

    [Theory]
    [MemberData(nameof(APanelCases))]
    public void APanel_AnyTileAndTranspose_EqualsNaiveCopy(int mr, int rows, int kc, bool transposed)
    {
        // op(A) is m×k with m = 20 rows, k = 300; the panel starts at row 3, column 5.
        const int m = 20, k = 300, i0 = 3, p0 = 5;
        int lda = (transposed ? m : k) + 3;
        var a = Random((transposed ? k : m) * lda, 1);
        var packed = new float[kc * mr];
        packed.AsSpan().Fill(float.NaN);
        fixed (float* pa = a)
        fixed (float* dst = packed)
            GemmPacking.APanel(pa, lda, transposed, i0, rows, p0, kc, dst, mr);

        for (int p = 0; p < kc; p++)
            for (int r = 0; r < mr; r++)
            {
                float expected = r < rows ? (transposed ? a[(p0 + p) * lda + i0 + r] : a[(i0 + r) * lda + p0 + p]) : 0f;
                if (BitConverter.SingleToInt32Bits(packed[p * mr + r]) != BitConverter.SingleToInt32Bits(expected))
                    throw new Xunit.Sdk.XunitException($"A panel mr={mr} rows={rows} kc={kc} transposed={transposed}: element (p={p}, r={r}) is {packed[p * mr + r]}, expected {expected}");
            }
    }

    public static TheoryData<int, int, int, bool> BPanelCases()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int nr in new[] { 16, 32 })
            foreach (int cols in new[] { nr, 8 })
                foreach (int kc in new[] { 1, 7, 8, 9, 23, 256 })
                    foreach (bool transposed in new[] { false, true })
                        data.Add(nr, cols, kc, transposed);
        return data;
    }

    [Theory]
    [MemberData(nameof(BPanelCases))]
    public void BPanel_AnyTileAndTranspose_EqualsNaiveCopy(int nr, int cols, int kc, bool transposed)
    {
        // op(B) is k×n with k = 300, n = 50; the panel starts at row 5, column 4.
        const int k = 300, n = 50, p0 = 5, j0 = 4;
        int ldb = (transposed ? k : n) + 3;
        var b = Random((transposed ? n : k) * ldb, 2);
        var packed = new float[kc * nr];
        packed.AsSpan().Fill(float.NaN);
        fixed (float* pb = b)
        fixed (float* dst = packed)
            GemmPacking.BPanel(pb, ldb, transposed, p0, kc, j0, cols, dst, nr);

        for (int p = 0; p < kc; p++)
            for (int j = 0; j < nr; j++)
            {
                float expected = j < cols ? (transposed ? b[(j0 + j) * ldb + p0 + p] : b[(p0 + p) * ldb + j0 + j]) : 0f;
                if (BitConverter.SingleToInt32Bits(packed[p * nr + j]) != BitConverter.SingleToInt32Bits(expected))
                    throw new Xunit.Sdk.XunitException($"B panel nr={nr} cols={cols} kc={kc} transposed={transposed}: element (p={p}, j={j}) is {packed[p * nr + j]}, expected {expected}");
            }
    }

    private static float[] Random(int length, ulong seed)
    {
        var values = new float[length];
        new Rng(seed).FillNormal(values);
        return values;
    }
}
