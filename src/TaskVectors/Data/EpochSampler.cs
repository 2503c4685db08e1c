// EpochSampler: the example order of a training run as a pure function of (seed, position): position p
// is example perm_e[p mod N] of epoch e = p div N, each epoch a fresh seeded permutation. A run resumed
// at any step therefore sees exactly the examples the uninterrupted run would have.
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Deterministic shuffled order over N examples, epoch after epoch.</summary>
internal sealed class EpochSampler
{
    private readonly ulong _seed;
    private readonly int[][] _permutations = [[], []];
    private readonly long[] _epochs = [-1, -1];
    private readonly Rng _rng = new(0);

    /// <summary>Creates the order over <paramref name="count"/> examples for <paramref name="seed"/>.</summary>
    public EpochSampler(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        _seed = seed;
    }

    /// <summary>Number of examples N.</summary>
    public int Count { get; }

    /// <summary>Writes the indices of positions <paramref name="position"/> … position + indices.Length − 1 into <paramref name="indices"/>.</summary>
    public void Fill(long position, Span<int> indices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        for (int i = 0; i < indices.Length; i++)
        {
            long p = position + i;
            indices[i] = Permutation(p / Count)[(int)(p % Count)];
        }
    }

    // Two cached epochs suffice: a batch spans at most the end of one epoch and the start of the next.
    private int[] Permutation(long epoch)
    {
        for (int k = 0; k < 2; k++)
            if (_epochs[k] == epoch) return _permutations[k];
        int slot = _epochs[0] < _epochs[1] ? 0 : 1;
        if (_permutations[slot].Length != Count) _permutations[slot] = new int[Count];
        var perm = _permutations[slot];
        for (int i = 0; i < Count; i++) perm[i] = i;
        _rng.Reseed(_seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)));
        _rng.Shuffle<int>(perm);
        _epochs[slot] = epoch;
        return perm;
    }
}
