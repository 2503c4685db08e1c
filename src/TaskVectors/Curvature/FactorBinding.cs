// FactorBinding: maps the blocks of aggregated factors onto the trainable parameters of a fine-tuning run,
// and moves τ between a Kronecker block's members and its stacked ΔW = [W | b] (GDim × ADim) layout:
// Gather copies τ in (τ = 0 for untrained members), ScatterAdd adds a scaled GDim × ADim gradient out.
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.Curvature;

/// <summary>
/// The trainable parameters behind each block of an <see cref="AggregatedFactors"/>, rebound only when the parameter list
/// changes (the same objects in the same order are recognized, so steady-state calls allocate nothing).
/// </summary>
internal sealed class FactorBinding
{
    private readonly AggregatedFactors _factors;
    private readonly string _owner;
    private readonly TrainableParameter?[][] _weights, _biases;
    private readonly bool[] _active;
    private readonly TrainableParameter?[] _dense;
    private TrainableParameter[] _bound = [];

    /// <summary>Creates an unbound mapping; <paramref name="owner"/> names the regularizer in error messages.</summary>
    public FactorBinding(AggregatedFactors factors, string owner)
    {
        _factors = factors;
        _owner = owner;
        _weights = [.. factors.Blocks.Select(b => new TrainableParameter?[b.Spec.Members.Count])];
        _biases = [.. factors.Blocks.Select(b => new TrainableParameter?[b.Spec.Members.Count])];
        _active = new bool[factors.Blocks.Count];
        _dense = new TrainableParameter?[factors.DenseBlocks.Count];
    }

    /// <summary>
    /// The identity a fine-tuning checkpoint records for a factor-based penalty: its kind, weights, form, task count,
    /// base model and a hash of the float32 curvature it applies (so other factors, or other β, are not resumed).
    /// </summary>
    public static string Identity(string kind, TakOptions options, AggregatedFactors factors, IEnumerable<float[]> curvature)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var values in curvature) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        string digest = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{kind}(beta={options.Beta:R}, c_ln={options.LayerNormCoefficient:R}, c_proj={options.ProjectionCoefficient:R}, " +
            $"projection_blocks=[{string.Join(",", options.ProjectionBlocks)}], form={factors.Form}, tasks={factors.Tasks}, " +
            $"base={factors.BaseFingerprint ?? "(none)"}, curvature=sha256:{digest})");
    }

    /// <summary>GDim · ADim of the largest Kronecker block: the length of a ΔW buffer that fits every block.</summary>
    public int LargestBlock => _factors.Blocks.Select(b => b.Spec.GDim * b.Spec.ADim).DefaultIfEmpty().Max();

    /// <summary>Whether any member of Kronecker block <paramref name="block"/> is trainable.</summary>
    public bool Active(int block) => _active[block];

    /// <summary>The trainable parameter of dense block <paramref name="block"/>, or null.</summary>
    public TrainableParameter? Dense(int block) => _dense[block];

    /// <summary>Binds to <paramref name="parameters"/> unless they are the list bound last time.</summary>
    /// <exception cref="ArgumentException">A trainable parameter covered by a block has the wrong shape.</exception>
    /// <exception cref="InvalidOperationException">No block covers any of the parameters: the penalty would be 0 whatever β.</exception>
    public void Bind(IReadOnlyList<TrainableParameter> parameters)
    {
        if (parameters.Count == _bound.Length)
        {
            bool same = true;
            for (int i = 0; i < _bound.Length && same; i++) same = ReferenceEquals(parameters[i], _bound[i]);
            if (same) return;
        }
        var byName = new Dictionary<string, TrainableParameter>(StringComparer.Ordinal);
        foreach (var p in parameters) byName[p.Name] = p;
        for (int b = 0; b < _factors.Blocks.Count; b++)
        {
            var spec = _factors.Blocks[b].Spec;
            _active[b] = false;
            for (int m = 0; m < spec.Members.Count; m++)
            {
                var member = spec.Members[m];
                _weights[b][m] = Find(byName, member.Weight, [member.OutFeatures, spec.InFeatures]);
                _biases[b][m] = Find(byName, member.Bias, [member.OutFeatures]);
                _active[b] |= _weights[b][m] is not null || _biases[b][m] is not null;
            }
        }
        for (int d = 0; d < _dense.Length; d++)
        {
            var spec = _factors.DenseBlocks[d].Spec;
            var p = byName.GetValueOrDefault(spec.Parameter);
            if (p is not null && p.Tau.Length != spec.Dim)
                throw new ArgumentException($"{_owner}: trainable parameter '{spec.Parameter}' has {p.Tau.Length} entries, but its dense block expects {spec.Dim}.");
            _dense[d] = p;
        }
        if (!_active.Contains(true) && !_dense.Any(p => p is not null) && _active.Length + _dense.Length > 0)
        {
            string example = _factors.Blocks.Count > 0 ? _factors.Blocks[0].Spec.Members[0].Weight : _factors.DenseBlocks[0].Spec.Parameter;
            throw new InvalidOperationException(
                $"{_owner}: none of the factors' {_active.Length} Kronecker and {_dense.Length} dense blocks covers a trainable parameter " +
                $"(the first covers '{example}'), so the penalty would be 0 whatever β: the factors are of another architecture, or the " +
                "trainable set excludes every parameter they cover; no trainable parameter is regularized.");
        }
        _bound = [.. parameters];
    }

    /// <summary>Writes block <paramref name="block"/>'s ΔW = [τ_W | τ_b] (GDim × ADim) into <paramref name="delta"/>.</summary>
    public void Gather(int block, Span<float> delta)
    {
        var spec = _factors.Blocks[block].Spec;
        int cols = spec.ADim, n = spec.InFeatures, offset = 0;
        for (int m = 0; m < spec.Members.Count; m++)
        {
            int outs = spec.Members[m].OutFeatures;
            var w = _weights[block][m]?.Tau;
            var b = _biases[block][m]?.Tau;
            for (int r = 0; r < outs; r++)
            {
                var row = delta.Slice((offset + r) * cols, cols);
                if (w is not null) w.Span.Slice(r * n, n).CopyTo(row);
                else row[..n].Clear();
                if (spec.HasBias) row[n] = b is not null ? b.Span[r] : 0f;
            }
            offset += outs;
        }
    }

    /// <summary>Adds <paramref name="scale"/> · <paramref name="values"/> (GDim × ADim) to the trainable members' gradients.</summary>
    public void ScatterAdd(int block, ReadOnlySpan<float> values, float scale)
    {
        var spec = _factors.Blocks[block].Spec;
        int cols = spec.ADim, n = spec.InFeatures, offset = 0;
        for (int m = 0; m < spec.Members.Count; m++)
        {
            int outs = spec.Members[m].OutFeatures;
            var w = _weights[block][m]?.Grad;
            var b = _biases[block][m]?.Grad;
            for (int r = 0; r < outs; r++)
            {
                var row = values.Slice((offset + r) * cols, cols);
                if (w is not null) TensorMath.AddScaled(row[..n], scale, w.Span.Slice(r * n, n));
                if (b is not null) b.Span[r] += scale * row[n];
            }
            offset += outs;
        }
    }

    private TrainableParameter? Find(Dictionary<string, TrainableParameter> byName, string? name, ReadOnlySpan<int> shape)
    {
        if (name is null || !byName.TryGetValue(name, out var p)) return null;
        if (!KroneckerMember.Fits(p.Tau, shape))
            throw new ArgumentException($"{_owner}: trainable parameter '{name}' is {p.Tau.ShapeText}, but its KFAC block expects {Tensor.ShapeString(shape)}.");
        return p;
    }
}
