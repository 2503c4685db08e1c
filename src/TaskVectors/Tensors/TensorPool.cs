// TensorPool: free lists of tensors keyed by exact shape, so that a training step that rents and
// returns the same shapes every iteration allocates nothing once the first step has run.
namespace TaskVectors.Tensors;

/// <summary>
/// A pool of tensors keyed by exact shape (rank ≤ <see cref="MaxRank"/>). <see cref="Rent"/> reuses a
/// returned tensor of the same shape when one is free and allocates otherwise. Not thread-safe:
/// give each thread (or each model) its own pool.
/// </summary>
internal sealed class TensorPool
{
    /// <summary>Largest rank the pool keys on.</summary>
    public const int MaxRank = ShapeKey.MaxRank;

    private readonly Dictionary<ShapeKey, Stack<Tensor>> _free = new();

    /// <summary>Number of tensors this pool has allocated (not reused) so far.</summary>
    public long Allocations { get; private set; }

    /// <summary>Number of tensors currently rented and not yet returned.</summary>
    public int Outstanding { get; private set; }

    /// <summary>Rents a tensor of <paramref name="shape"/>. Its contents are unspecified.</summary>
    public Tensor Rent(params ReadOnlySpan<int> shape)
    {
        var key = new ShapeKey(shape);
        Outstanding++;
        if (_free.TryGetValue(key, out var stack) && stack.Count > 0)
            return stack.Pop();
        Allocations++;
        return new Tensor(shape);
    }

    /// <summary>Rents a tensor of <paramref name="shape"/> filled with zeros.</summary>
    public Tensor RentZeroed(params ReadOnlySpan<int> shape)
    {
        var t = Rent(shape);
        t.Clear();
        return t;
    }

    /// <summary>Gives <paramref name="tensor"/> back for reuse. The caller must not use it afterwards.</summary>
    public void Return(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var key = new ShapeKey(tensor.Shape);
        if (!_free.TryGetValue(key, out var stack))
        {
            stack = new Stack<Tensor>();
            _free.Add(key, stack);
        }
        stack.Push(tensor);
        Outstanding--;
    }

    private readonly struct ShapeKey : IEquatable<ShapeKey>
    {
        public const int MaxRank = 6;
        private readonly int _rank, _d0, _d1, _d2, _d3, _d4, _d5;

        public ShapeKey(ReadOnlySpan<int> shape)
        {
            if (shape.Length > MaxRank)
                throw new ArgumentException($"TensorPool keys shapes of rank at most {MaxRank}; got {Tensor.ShapeString(shape)}.", nameof(shape));
            Tensor.CheckedLength(shape);
            _rank = shape.Length;
            _d0 = shape.Length > 0 ? shape[0] : 0;
            _d1 = shape.Length > 1 ? shape[1] : 0;
            _d2 = shape.Length > 2 ? shape[2] : 0;
            _d3 = shape.Length > 3 ? shape[3] : 0;
            _d4 = shape.Length > 4 ? shape[4] : 0;
            _d5 = shape.Length > 5 ? shape[5] : 0;
        }

        public bool Equals(ShapeKey o) =>
            _rank == o._rank && _d0 == o._d0 && _d1 == o._d1 && _d2 == o._d2 && _d3 == o._d3 && _d4 == o._d4 && _d5 == o._d5;

        public override bool Equals(object? obj) => obj is ShapeKey k && Equals(k);

        public override int GetHashCode() => HashCode.Combine(_rank, _d0, _d1, _d2, _d3, _d4, _d5);
    }
}
