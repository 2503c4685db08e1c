// Mlp: a multilayer perceptron encoder, inputs (B, …) flattened to (B, In) → L2-normalized
// embeddings (B, D): Linear "layers.0" → GELU → … → Linear "layers.{L−1}" → x/‖x‖.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// f(x; θ) = normalize(W_L · GELU(… GELU(W_1 · vec(x) + b_1) …) + b_L): an embedding model for flat inputs
/// (an image (C, H, W) is read as its C·H·W pixels). Linear layers are named "layers.{i}".
/// </summary>
public sealed class Mlp : IEmbeddingModel<Tensor>
{
    private readonly Linear[] _linears;
    private readonly Gelu[] _activations;
    private readonly L2Normalize _normalize = new(name: "normalize");
    // Flat views of the last two input tensors: a training batch and a regularizer's batch alternate,
    // and each keeps its view, so neither pass allocates in steady state.
    private readonly Tensor?[] _viewSources = new Tensor?[2];
    private readonly Tensor?[] _views = new Tensor?[2];
    private int _nextView;

    /// <summary>Creates a zero-initialized MLP with layer widths <paramref name="inputDim"/> → <paramref name="hidden"/>… → <paramref name="embeddingDim"/>.</summary>
    public Mlp(int inputDim, IReadOnlyList<int> hidden, int embeddingDim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        ArgumentNullException.ThrowIfNull(hidden);
        int[] widths = [inputDim, .. hidden, embeddingDim];
        for (int i = 0; i < widths.Length; i++)
            if (widths[i] <= 0) throw new ArgumentException($"Layer width {i} is {widths[i]}; widths must be positive.", nameof(hidden));
        var root = new ModuleScope();
        var layers = root.Push("layers");
        _linears = new Linear[widths.Length - 1];
        for (int i = 0; i < _linears.Length; i++) _linears[i] = layers.Add($"{i}", n => new Linear(n, widths[i], widths[i + 1]));
        _activations = new Gelu[_linears.Length - 1];
        for (int i = 0; i < _activations.Length; i++) _activations[i] = new Gelu(name: layers.Push($"{i}").NameOf("activation"));
        Registration = root.Build();
        InputDim = inputDim;
        EmbeddingDim = embeddingDim;
    }

    /// <summary>Input width In (an input batch must hold B·In values).</summary>
    public int InputDim { get; }

    /// <inheritdoc />
    public int EmbeddingDim { get; }

    /// <summary>The Linear layers "layers.0" … in forward order.</summary>
    public IReadOnlyList<Linear> Linears => _linears;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    /// <inheritdoc />
    public ModelRegistration Registration { get; }

    /// <summary>Weights ~ N(0, 1/fan_in) (so activations keep unit scale), biases 0.</summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (var linear in _linears) linear.Initialize(rng, 1f / MathF.Sqrt(linear.InFeatures));
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var h = _linears[0].Forward(Flatten(input));
        for (int i = 1; i < _linears.Length; i++) h = _linears[i].Forward(_activations[i - 1].Forward(h));
        return _normalize.Forward(h);
    }

    /// <inheritdoc />
    public void Backward(Tensor gradEmbedding)
    {
        var g = _normalize.Backward(gradEmbedding);
        for (int i = _linears.Length - 1; i > 0; i--) g = _activations[i - 1].Backward(_linears[i].Backward(g));
        _linears[0].Backward(g);
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input)
    {
        var d = _linears[0].Jvp(Flatten(input), null);
        for (int i = 1; i < _linears.Length; i++)
        {
            d = _activations[i - 1].Jvp(d.Primal, d.Tangent);
            d = _linears[i].Jvp(d.Primal, d.Tangent);
        }
        return _normalize.Jvp(d.Primal, d.Tangent);
    }

    // (B, …) → (B, In) as a view; the view object is cached so repeated batches allocate nothing.
    private Tensor Flatten(Tensor input)
    {
        if (input.Rank == 0 || input.Length != input.Dim(0) * InputDim)
            throw new ArgumentException($"Mlp expects (B, …) inputs of {InputDim} values per row; got {input.ShapeText}.", nameof(input));
        if (input.Rank == 2) return input;
        for (int k = 0; k < _views.Length; k++)
            if (ReferenceEquals(_viewSources[k], input) && _views[k]!.HasShape(input.Dim(0), InputDim)) return _views[k]!;
        int slot = _nextView;
        _nextView = (_nextView + 1) % _views.Length;
        _viewSources[slot] = input;
        return _views[slot] = input.Reshape(input.Dim(0), InputDim);
    }

    /// <summary>Creates an MLP of the given widths and loads it strictly from a safetensors file.</summary>
    public static Mlp Load(string path, int inputDim, IReadOnlyList<int> hidden, int embeddingDim)
    {
        var model = new Mlp(inputDim, hidden, embeddingDim);
        Checkpoint.Load(model, path);
        return model;
    }

    /// <summary>Saves the parameters (atomic write).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => Checkpoint.Save(this, path, metadata);
}
