// ArrayAssert: element-wise comparison of float or double arrays (any length, optionally with a shape for the
// indices) whose failure message stays short whatever the size: the shape, how many elements differ, the first few
// differences with their indices, and the largest absolute and relative error — never the arrays themselves.
// Equal: values equal (NaN equals NaN, −0 equals +0, as Shouldly's ShouldBe); BitIdentical: same bits (any NaN
// equals any NaN); Close: |actual − expected| ≤ absolute + relative·|expected|; Within: a tolerance per element.
using System.Globalization;
using System.Text;
using TaskVectors.Tensors;

namespace TaskVectors.Tests;

/// <summary>Bounded-output assertions on whole arrays.</summary>
internal static class ArrayAssert
{
    /// <summary>Differences listed in a failure message.</summary>
    public const int Shown = 5;

    public static void Equal(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what = "", int[]? shape = null) =>
        Compare(Widen(actual), Widen(expected), (_, a, e) => a.Equals(e), what, shape, "equal");

    public static void Equal(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, string what = "", int[]? shape = null) =>
        Compare(actual.ToArray(), expected.ToArray(), (_, a, e) => a.Equals(e), what, shape, "equal");

    /// <summary>Same shape, and values equal element by element.</summary>
    public static void Equal(Tensor actual, Tensor expected, string what = "")
    {
        SameShape(actual, expected, what);
        Equal(actual.Span, expected.Span, what, actual.Shape.ToArray());
    }

    /// <summary>Same bits element by element (a float widens to double exactly, so comparing the widened bits is the
    /// same test); a NaN matches any NaN, since payloads may differ between vector and scalar paths.</summary>
    public static void BitIdentical(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what = "", int[]? shape = null) =>
        Compare(Widen(actual), Widen(expected), (_, a, e) => SameBits(a, e), what, shape, "bit-identical");

    public static void BitIdentical(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, string what = "", int[]? shape = null) =>
        Compare(actual.ToArray(), expected.ToArray(), (_, a, e) => SameBits(a, e), what, shape, "bit-identical");

    /// <summary>Same shape, and the same bits element by element.</summary>
    public static void BitIdentical(Tensor actual, Tensor expected, string what = "")
    {
        SameShape(actual, expected, what);
        BitIdentical(actual.Span, expected.Span, what, actual.Shape.ToArray());
    }

    /// <summary>|actual − expected| ≤ <paramref name="absolute"/> + <paramref name="relative"/>·|expected| everywhere
    /// (NaN only where NaN is expected).</summary>
    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double absolute, double relative, string what = "", int[]? shape = null) =>
        Close(Widen(actual), Widen(expected), absolute, relative, what, shape);

    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double absolute, double relative, string what = "", int[]? shape = null) =>
        Within(actual, expected, (i, e) => absolute + relative * Math.Abs(e), what, shape);

    /// <summary>|actual[i] − expected[i]| ≤ tolerance(i, expected[i]) everywhere (NaN only where NaN is expected).</summary>
    public static void Within(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, Func<int, double, double> tolerance, string what = "", int[]? shape = null) =>
        Within(Widen(actual), Widen(expected), tolerance, what, shape);

    public static void Within(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, Func<int, double, double> tolerance, string what = "", int[]? shape = null) =>
        Compare(actual.ToArray(), expected.ToArray(),
            (i, a, e) => double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(a - e) <= tolerance(i, e), what, shape, "within tolerance");

    private static bool SameBits(double a, double e) =>
        double.IsNaN(a) ? double.IsNaN(e) : BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(e);

    private static double[] Widen(ReadOnlySpan<float> values)
    {
        var wide = new double[values.Length];
        for (int i = 0; i < values.Length; i++) wide[i] = values[i];
        return wide;
    }

    private static void SameShape(Tensor actual, Tensor expected, string what)
    {
        if (!actual.Shape.SequenceEqual(expected.Shape))
            Assert.Fail($"{Prefix(what)}shape {Dims(actual.Shape.ToArray())}, expected {Dims(expected.Shape.ToArray())}");
    }

    // Fails with a bounded summary when ok(i, actual[i], expected[i]) is false anywhere.
    private static void Compare(double[] actual, double[] expected, Func<int, double, double, bool> ok, string what, int[]? shape, string test)
    {
        if (actual.Length != expected.Length)
            Assert.Fail($"{Prefix(what)}{actual.Length} elements, expected {expected.Length}" + (shape is null ? "" : $" (shape {Dims(shape)})"));
        if (shape is not null && shape.Aggregate(1L, (p, d) => p * d) != actual.Length)
            throw new ArgumentException($"shape {Dims(shape)} does not hold {actual.Length} elements", nameof(shape));
        int bad = 0;
        var first = new StringBuilder();
        double maxAbs = 0, maxRel = 0;
        int maxAbsAt = -1, maxRelAt = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            if (ok(i, a, e)) continue;
            double abs = Math.Abs(a - e), rel = abs / Math.Abs(e);
            if (double.IsNaN(abs)) abs = rel = double.PositiveInfinity; // a NaN on one side only counts as the worst
            if (bad < Shown) first.Append(string.Create(CultureInfo.InvariantCulture, $"\n  {Index(i, shape)}: {a:R} vs {e:R} (diff {a - e:G3})"));
            bad++;
            if (abs > maxAbs || maxAbsAt < 0) (maxAbs, maxAbsAt) = (abs, i);
            if (rel > maxRel || maxRelAt < 0) (maxRel, maxRelAt) = (rel, i);
        }
        if (bad == 0) return;
        string within = shape is null ? "" : $" (shape {Dims(shape)})";
        Assert.Fail(string.Create(CultureInfo.InvariantCulture,
            $"{Prefix(what)}{bad} of {actual.Length} elements not {test}{within}; max abs error {maxAbs:G3} at {Index(maxAbsAt, shape)}, " +
            $"max rel error {maxRel:G3} at {Index(maxRelAt, shape)}; first {Math.Min(bad, Shown)}:{first}"));
    }

    private static string Prefix(string what) => what.Length == 0 ? "" : what + ": ";

    private static string Dims(int[] shape) => "[" + string.Join("×", shape) + "]";

    // [i] for a flat array, [i, j, …] for a shaped one (row-major).
    private static string Index(int flat, int[]? shape)
    {
        if (shape is null || shape.Length < 2) return $"[{flat}]";
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
