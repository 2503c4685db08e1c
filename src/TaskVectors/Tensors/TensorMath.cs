// TensorMath: element-wise and reduction kernels over float32 spans, x/y/destination of length n.
// Each forwards to System.Numerics.Tensors.TensorPrimitives where it has the operation (SIMD), and
// checks lengths so a wrong caller fails loudly instead of reading past a buffer.
using System.Numerics.Tensors;

namespace TaskVectors.Tensors;

/// <summary>Span kernels: caller-owned outputs, no allocation. Destinations may alias inputs.</summary>
public static class TensorMath
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
    public static double SumOfSquaresDouble(ReadOnlySpan<float> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * x[i];
        return s;
    }

    /// <summary>Σ x[i] · y[i], accumulated in double precision.</summary>
    public static double DotDouble(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        CheckSame(x.Length, y.Length);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
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
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> destination)
    {
        if (x.Length != rows * cols) throw new ArgumentException($"x holds {x.Length} elements, not {rows}×{cols}.", nameof(x));
        CheckSame(cols, destination.Length);
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(x.Slice(r * cols, cols), destination, destination);
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
