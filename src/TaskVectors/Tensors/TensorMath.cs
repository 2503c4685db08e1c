// TensorMath: element-wise and reduction kernels over float32 spans, x/y/destination of length n.
// Each forwards to System.Numerics.Tensors.TensorPrimitives where it has the operation (SIMD), and
// checks lengths so a wrong caller fails loudly instead of reading past a buffer.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Tensors;

/// <summary>Span kernels: caller-owned outputs, no allocation. Destinations may alias inputs.</summary>
internal static class TensorMath
{
    /// <summary>destination[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        CheckSame(x.Length, y.Length, destination.Length);
        TensorPrimitives.Add(x, y, destination);
    }

    /// <summary>destination[i] = x[i] − y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        CheckSame(x.Length, y.Length, destination.Length);
        TensorPrimitives.Subtract(x, y, destination);
    }

    /// <summary>destination[i] = x[i] · y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        CheckSame(x.Length, y.Length, destination.Length);
        TensorPrimitives.Multiply(x, y, destination);
    }

    /// <summary>destination[i] = α · x[i].</summary>
    public static void Scale(ReadOnlySpan<float> x, float alpha, Span<float> destination)
    {
        CheckSame(x.Length, destination.Length);
        TensorPrimitives.Multiply(x, alpha, destination);
    }

    /// <summary>y[i] += α · x[i] (BLAS axpy).</summary>
    public static void AddScaled(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        TensorPrimitives.MultiplyAdd(x, alpha, y, y);
    }

    /// <summary>y[i] += x[i].</summary>
    public static void AddInPlace(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        TensorPrimitives.Add(x, y, y);
    }

    /// <summary>destination[i] = x[i] · y[i] + z[i].</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination)
    {
        CheckSame(x.Length, y.Length, z.Length, destination.Length);
        TensorPrimitives.MultiplyAdd(x, y, z, destination);
    }

    /// <summary>destination[i] = exp(x[i]).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSame(x.Length, destination.Length);
        TensorPrimitives.Exp(x, destination);
    }

    /// <summary>destination[i] = tanh(x[i]).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSame(x.Length, destination.Length);
        TensorPrimitives.Tanh(x, destination);
    }

    /// <summary>destination[i] = 1 / (1 + exp(−x[i])).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSame(x.Length, destination.Length);
        TensorPrimitives.Sigmoid(x, destination);
    }

    /// <summary>Σ x[i].</summary>
    public static float Sum(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);

    /// <summary>Σ x[i]², accumulated in double precision.</summary>
    public static double SumOfSquaresDouble(ReadOnlySpan<float> x) => DotDouble(x, x);

    /// <summary>Σ x[i] · y[i], accumulated in double precision.</summary>
    /// <remarks>Both operands are widened to float64 before the product; the sum runs in 8 fixed lanes (a fixed order).</remarks>
    public static double DotDouble(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        CheckSame(x.Length, y.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var lo = Vector256<double>.Zero;
        var hi = Vector256<double>.Zero;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (xl, xh) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
            var (yl, yh) = Vector256.Widen(Vector256.LoadUnsafe(ref py, (nuint)i));
            lo = Vector256.FusedMultiplyAdd(xl, yl, lo);
            hi = Vector256.FusedMultiplyAdd(xh, yh, hi);
        }
        double s = Vector256.Sum(lo + hi);
        for (; i < n; i++) s += (double)Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        return s;
    }

    /// <summary>y[i] += α · x[i] with y in float64 (x widened first): how float32 batch results join float64 sums.</summary>
    public static void AddScaledWidened(ReadOnlySpan<float> x, double alpha, Span<double> y)
    {
        CheckSame(x.Length, y.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref double py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var a = Vector256.Create(alpha);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
            Vector256.FusedMultiplyAdd(lo, a, Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
            Vector256.FusedMultiplyAdd(hi, a, Vector256.LoadUnsafe(ref py, (nuint)i + 4)).StoreUnsafe(ref py, (nuint)i + 4);
        }
        // The tail fuses too, so an entry's rounding does not depend on where it falls.
        for (; i < n; i++) Unsafe.Add(ref py, i) = Math.FusedMultiplyAdd(Unsafe.Add(ref px, i), alpha, Unsafe.Add(ref py, i));
    }

    /// <summary>Each float64 value rounded to the nearest float32, in a new array.</summary>
    public static float[] ToSingle(ReadOnlySpan<double> x)
    {
        var result = new float[x.Length];
        for (int i = 0; i < x.Length; i++) result[i] = (float)x[i];
        return result;
    }

    /// <summary>Σ x[i] · y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        CheckSame(x.Length, y.Length);
        return TensorPrimitives.Dot(x, y);
    }

    /// <summary>√(Σ x[i]²).</summary>
    public static float Norm(ReadOnlySpan<float> x) => TensorPrimitives.Norm(x);

    /// <summary>max_i x[i]; x must be non-empty.</summary>
    public static float Max(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);

    /// <summary>The first index of max_i x[i]; x must be non-empty.</summary>
    public static int ArgMax(ReadOnlySpan<float> x) => TensorPrimitives.IndexOfMax(x);

    /// <summary>Σ_i |x[i]|.</summary>
    public static float SumOfMagnitudes(ReadOnlySpan<float> x) => TensorPrimitives.SumOfMagnitudes(x);

    /// <summary>Whether every element is finite (no NaN, no ±∞).</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i])) return false;
        return true;
    }

    /// <summary>destination[r, j] = Σ_i x[i, j] for x of shape (rows, cols): column sums, e.g. a bias gradient.</summary>
    /// <remarks>
    /// Each column is summed down the rows in float32 (row 0 first) in registers, 32 columns at a time, and the sum is
    /// then added to the destination: one pass over x, whatever its width.
    /// </remarks>
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> destination)
    {
        if (x.Length != rows * cols) throw new ArgumentException($"x holds {x.Length} elements, not {rows}×{cols}.", nameof(x));
        CheckSame(cols, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        const int w = 8; // Vector256<float>.Count
        int j = 0;
        for (; j <= cols - 4 * w; j += 4 * w)
        {
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            var s2 = Vector256<float>.Zero;
            var s3 = Vector256<float>.Zero;
            for (nuint off = (nuint)j, end = off + (nuint)rows * (nuint)cols; off < end; off += (nuint)cols)
            {
                s0 += Vector256.LoadUnsafe(ref px, off);
                s1 += Vector256.LoadUnsafe(ref px, off + w);
                s2 += Vector256.LoadUnsafe(ref px, off + 2 * w);
                s3 += Vector256.LoadUnsafe(ref px, off + 3 * w);
            }
            (Vector256.LoadUnsafe(ref pd, (nuint)j) + s0).StoreUnsafe(ref pd, (nuint)j);
            (Vector256.LoadUnsafe(ref pd, (nuint)j + w) + s1).StoreUnsafe(ref pd, (nuint)j + w);
            (Vector256.LoadUnsafe(ref pd, (nuint)j + 2 * w) + s2).StoreUnsafe(ref pd, (nuint)j + 2 * w);
            (Vector256.LoadUnsafe(ref pd, (nuint)j + 3 * w) + s3).StoreUnsafe(ref pd, (nuint)j + 3 * w);
        }
        for (; j <= cols - w; j += w)
        {
            var s = Vector256<float>.Zero;
            for (nuint off = (nuint)j, end = off + (nuint)rows * (nuint)cols; off < end; off += (nuint)cols) s += Vector256.LoadUnsafe(ref px, off);
            (Vector256.LoadUnsafe(ref pd, (nuint)j) + s).StoreUnsafe(ref pd, (nuint)j);
        }
        for (; j < cols; j++)
        {
            float s = 0;
            for (int r = 0; r < rows; r++) s += Unsafe.Add(ref px, r * cols + j);
            Unsafe.Add(ref pd, j) += s;
        }
    }

    /// <summary>x[r, j] += bias[j] for every row r of x (rows × bias.Length).</summary>
    public static void AddRowVector(Span<float> x, ReadOnlySpan<float> bias)
    {
        int cols = bias.Length;
        if (cols == 0 ? x.Length != 0 : x.Length % cols != 0)
            throw new ArgumentException($"x holds {x.Length} elements, not a multiple of the row length {cols}.", nameof(x));
        for (int off = 0; off < x.Length; off += cols) TensorPrimitives.Add(x.Slice(off, cols), bias, x.Slice(off, cols));
    }

    private static void CheckSame(int a, int b)
    {
        if (a != b) throw new ArgumentException($"Span lengths differ: {a} and {b}.");
    }

    private static void CheckSame(int a, int b, int c)
    {
        if (a != b || a != c) throw new ArgumentException($"Span lengths differ: {a}, {b} and {c}.");
    }

    private static void CheckSame(int a, int b, int c, int d)
    {
        if (a != b || a != c || a != d) throw new ArgumentException($"Span lengths differ: {a}, {b}, {c} and {d}.");
    }
}
