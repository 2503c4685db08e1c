// Tests of AttentionKernels: each fast per-head kernel (GEMM on strided head slices) against its naive
// reference twin, the masked softmax's exact zeros and stability for large scores, and its errors.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class AttentionKernelsTests
{
    private const int Batch = 2, Seq = 5, Heads = 3, HeadDim = 4, Ld = Heads * HeadDim;

    private static float[] Random(ulong seed, int length, float std = 1f)
    {
        var a = new float[length];
        new Rng(seed).FillNormal(a, 0f, std);
        return a;
    }

    // Offset of head (b, h) in a (B, T, H·D) tensor.
    private static int Offset(int b, int h) => b * Seq * Ld + h * HeadDim;

    private static float[] Mask(bool masked) => masked ? [1, 0, 1, 1, 0] : [];

    private static void ShouldBeClose(float[] actual, float[] expected, double tol, string what) => ArrayAssert.Close(actual, expected, tol, tol, what);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ForwardHead_MatchesReference_OnStridedHeadSlices(bool masked)
    {
        var q = Random(1, Batch * Seq * Ld);
        var k = Random(2, Batch * Seq * Ld);
        var v = Random(3, Batch * Seq * Ld);
        float alpha = 1f / MathF.Sqrt(HeadDim);
        var mask = Mask(masked);
        var fastO = new float[q.Length];
        var refO = new float[q.Length];
        var fastP = new float[Seq * Seq];
        var refP = new float[Seq * Seq];
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
            {
                int off = Offset(b, h);
                AttentionKernels.ForwardHead(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, mask, fastP, fastO.AsSpan(off), Seq, HeadDim, alpha);
                AttentionKernels.ForwardHeadReference(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, mask, refP, refO.AsSpan(off), Seq, HeadDim, alpha);
                ShouldBeClose(fastP, refP, 1e-5, $"P[{b},{h}]");
            }
        // Every head wrote only its own columns, and together they cover the whole output.
        ShouldBeClose(fastO, refO, 1e-5, "O");
        refO.ShouldAllBe(x => x != 0f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardHead_MatchesReference(bool masked)
    {
        int n = Batch * Seq * Ld;
        var (q, k, v, gO) = (Random(4, n), Random(5, n), Random(6, n), Random(7, n));
        float alpha = 1f / MathF.Sqrt(HeadDim);
        var mask = Mask(masked);
        var p = new float[Seq * Seq];
        var scratch = new float[Seq * Seq];
        var o = new float[n];
        var fast = (Q: new float[n], K: new float[n], V: new float[n]);
        var slow = (Q: new float[n], K: new float[n], V: new float[n]);
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
            {
                int off = Offset(b, h);
                AttentionKernels.ForwardHeadReference(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, mask, p, o.AsSpan(off), Seq, HeadDim, alpha);
                AttentionKernels.BackwardHead(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, p, gO.AsSpan(off), scratch,
                    fast.Q.AsSpan(off), fast.K.AsSpan(off), fast.V.AsSpan(off), Seq, HeadDim, alpha);
                AttentionKernels.BackwardHeadReference(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, p, gO.AsSpan(off), scratch,
                    slow.Q.AsSpan(off), slow.K.AsSpan(off), slow.V.AsSpan(off), Seq, HeadDim, alpha);
            }
        ShouldBeClose(fast.Q, slow.Q, 1e-5, "dQ");
        ShouldBeClose(fast.K, slow.K, 1e-5, "dK");
        ShouldBeClose(fast.V, slow.V, 1e-5, "dV");
        if (masked)
        {
            // Masked keys (tokens 1 and 4) receive no key or value gradient.
            for (int b = 0; b < Batch; b++)
                for (int d = 0; d < Ld; d++)
                {
                    fast.K[(b * Seq + 1) * Ld + d].ShouldBe(0f);
                    fast.V[(b * Seq + 4) * Ld + d].ShouldBe(0f);
                }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JvpHead_MatchesReference(bool masked)
    {
        int n = Batch * Seq * Ld;
        var (q, k, v) = (Random(8, n), Random(9, n), Random(10, n));
        var (tq, tk, tv) = (Random(11, n), Random(12, n), Random(13, n));
        float alpha = 1f / MathF.Sqrt(HeadDim);
        var mask = Mask(masked);
        var p = new float[Seq * Seq];
        var o = new float[n];
        var (fastS, refS) = (new float[Seq * Seq], new float[Seq * Seq]);
        var (fast, slow) = (new float[n], new float[n]);
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
            {
                int off = Offset(b, h);
                AttentionKernels.ForwardHeadReference(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), Ld, mask, p, o.AsSpan(off), Seq, HeadDim, alpha);
                AttentionKernels.JvpHead(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), tq.AsSpan(off), tk.AsSpan(off), tv.AsSpan(off), Ld,
                    p, fastS, fast.AsSpan(off), Seq, HeadDim, alpha);
                AttentionKernels.JvpHeadReference(q.AsSpan(off), k.AsSpan(off), v.AsSpan(off), tq.AsSpan(off), tk.AsSpan(off), tv.AsSpan(off), Ld,
                    p, refS, slow.AsSpan(off), Seq, HeadDim, alpha);
                ShouldBeClose(fastS, refS, 1e-5, $"Ṗ[{b},{h}]");
            }
        ShouldBeClose(fast, slow, 1e-5, "Ȯ");
    }

    [Fact]
    public void MaskedSoftmaxRows_LargeScores_StaysFiniteAndMatchesReference()
    {
        // Scores near ±1000 overflow exp unless each row is shifted by its (unmasked) maximum; the masked
        // key holds the largest score of all, so it must not set the shift either.
        float[] scores = [1000f, 999f, 5000f, -1000f, 998f, 0f, -3f, 4000f];
        float[] mask = [1, 1, 0, 1];
        var fast = (float[])scores.Clone();
        var slow = (float[])scores.Clone();
        AttentionKernels.MaskedSoftmaxRows(fast, mask, 2, 4);
        AttentionKernels.MaskedSoftmaxRowsReference(slow, mask, 2, 4);
        ShouldBeClose(fast, slow, 1e-6, "P");
        fast[2].ShouldBe(0f);
        fast[6].ShouldBe(0f);
        fast[0].ShouldBe((float)(1 / (1 + Math.Exp(-1))), 1e-6);
        fast[3].ShouldBe(0f);
    }

    // The fused Vector512 row (run emulated where Vector512 is not accelerated) and the TensorPrimitives passes,
    // each against the double twin and against each other: exponentials round alike, the sums differ in order, so
    // within 1e-6 relative. Widths 7 (tail only), 16, 64 (MiniLM's T), 50 (ViT-B/32's T: 3 vectors + a tail of 2).
    [Theory]
    [InlineData(7, false)]
    [InlineData(16, true)]
    [InlineData(50, true)]
    [InlineData(64, false)]
    [InlineData(64, true)]
    public void MaskedSoftmaxRows_EachKernel_MatchesReferenceAndTheOther(int cols, bool withMask)
    {
        const int rows = 5;
        var x = Random(31, rows * cols, 4f);
        float[] mask = withMask ? [.. Enumerable.Range(0, cols).Select(j => j % 5 == 3 ? 0f : 1f)] : [];
        var expected = (float[])x.Clone();
        AttentionKernels.MaskedSoftmaxRowsReference(expected, mask, rows, cols);
        var results = new float[2][];
        foreach (bool wide in new[] { false, true })
        {
            var p = (float[])x.Clone();
            AttentionKernels.MaskedSoftmaxRows(p, mask, rows, cols, wide);
            ShouldBeClose(p, expected, 1e-6, $"P (wide={wide}, T={cols})");
            if (withMask)
                for (int r = 0; r < rows; r++)
                    for (int j = 3; j < cols; j += 5) p[r * cols + j].ShouldBe(0f);
            results[wide ? 1 : 0] = p;
        }
        ArrayAssert.Close(results[1], results[0], 1e-7, 1e-6, $"P: fused Vector512 vs TensorPrimitives, T={cols}");
        float[] allMasked = new float[cols];
        Should.Throw<ArgumentException>(() => AttentionKernels.MaskedSoftmaxRows((float[])x.Clone(), allMasked, rows, cols, wide: true));
    }

    [Fact]
    public void MaskedSoftmaxRows_NoMask_RowsSumToOne()
    {
        var x = Random(14, 6 * 7, 3f);
        var expected = (float[])x.Clone();
        AttentionKernels.MaskedSoftmaxRows(x, default, 6, 7);
        AttentionKernels.MaskedSoftmaxRowsReference(expected, default, 6, 7);
        ShouldBeClose(x, expected, 1e-6, "P");
        for (int r = 0; r < 6; r++) x.AsSpan(r * 7, 7).ToArray().Sum().ShouldBe(1f, 1e-5);
    }

    [Fact]
    public void SoftmaxBackwardRows_MatchesReference()
    {
        var p = Random(15, 4 * 9, 2f);
        AttentionKernels.MaskedSoftmaxRows(p, default, 4, 9);
        var fast = Random(16, 4 * 9);
        var slow = (float[])fast.Clone();
        AttentionKernels.SoftmaxBackwardRows(p, fast, 4, 9);
        AttentionKernels.SoftmaxBackwardRowsReference(p, slow, 4, 9);
        ShouldBeClose(fast, slow, 1e-5, "dS");
        // Each row of the result sums to zero: softmax outputs always sum to one.
        for (int r = 0; r < 4; r++) ((double)fast.AsSpan(r * 9, 9).ToArray().Sum()).ShouldBe(0, 1e-5);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(50)]
    public void MaskedSoftmaxRows_VectorAndTailWidths_MatchReference(int cols)
    {
        var mask = new float[cols];
        for (int j = 0; j < cols; j++) mask[j] = j % 3 == 1 ? 0f : 1f;
        foreach (var m in new[] { mask, [] })
        {
            var fast = Random(17, 5 * cols, 4f);
            var slow = (float[])fast.Clone();
            AttentionKernels.MaskedSoftmaxRows(fast, m, 5, cols);
            AttentionKernels.MaskedSoftmaxRowsReference(slow, m, 5, cols);
            ShouldBeClose(fast, slow, 1e-6, $"P (cols {cols}, masked {m.Length > 0})");
        }
    }

    [Fact]
    public void MaskedSoftmaxRows_EveryKeyMasked_Throws()
    {
        Should.Throw<ArgumentException>(() => AttentionKernels.MaskedSoftmaxRows(new float[6], new float[3], 2, 3))
            .Message.ShouldContain("masked");
    }

    [Fact]
    public void MaskedSoftmaxRows_MaskLengthMismatch_Throws()
    {
        Should.Throw<ArgumentException>(() => AttentionKernels.MaskedSoftmaxRows(new float[6], new float[2], 2, 3));
    }
}
