// DataSplit: a deterministic train/validation/test partition of N example indices for a seed — one
// seeded permutation, cut into ⌊N·f_test⌉ test, ⌊N·f_val⌉ validation and the rest train, each sorted ascending.
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Seeded random splits of example indices.</summary>
public static class DataSplit
{
    /// <summary>
    /// Partitions 0 … <paramref name="count"/> − 1 into train, validation and test index sets (disjoint, covering all),
    /// with round(count · fraction) examples in validation and test; the same seed always gives the same split.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1) or they sum to 1 or more.</exception>
    public static (int[] Train, int[] Validation, int[] Test) Split(int count, double validationFraction, double testFraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction)) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Must be in [0, 1).");
        if (testFraction is < 0 or >= 1 || double.IsNaN(testFraction)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Must be in [0, 1).");
        if (validationFraction + testFraction >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), "Validation and test fractions must leave examples for training.");
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Rng(seed ^ 0x5EED5EED5EED5EEDUL).Shuffle<int>(order);
        int test = (int)Math.Round(count * testFraction), validation = (int)Math.Round(count * validationFraction);
        static int[] Sorted(Span<int> part) { var a = part.ToArray(); Array.Sort(a); return a; }
        return (Sorted(order.AsSpan(test + validation)), Sorted(order.AsSpan(test, validation)), Sorted(order.AsSpan(0, test)));
    }
}
