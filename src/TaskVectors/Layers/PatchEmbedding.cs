// PatchEmbedding: the ViT patch embedding, a Conv2d with stride = kernel = p, done as im2col + GEMM.
// images (B, C, H, W) NCHW, H = W = imageSize → y (B, P, dim), P = (imageSize/p)² patches in row-major
// grid order. Weight "{name}.weight" (dim, C, p, p) in the PyTorch layout (CLIP: no bias).
using TaskVectors.Blas;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// y[b, n, o] = Σ_{c, ky, kx} W[o, c, ky, kx] · x[b, c, gy·p + ky, gx·p + kx] + bias[o] for patch n = gy·G + gx,
/// G = imageSize / p. Computed as y (B·P, dim) = cols (B·P, C·p·p) · Wᵀ with cols the im2col patch matrix and W
/// viewed as (dim, C·p·p). Channels are 1 (grayscale) or 3 (RGB).
/// </summary>
public sealed class PatchEmbedding : ILayer, IKfacLayer
{
    private readonly Parameter[] _parameters;
    private readonly KfacTap _tap = new();
    private Tensor? _input, _cols, _tanCols, _output, _tanOutput, _gradCols, _gradInput;
    private int _batch;

    /// <summary>Creates a zero-initialized patch embedding named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Channels is not 1 or 3, or imageSize is not a multiple of patch.</exception>
    public PatchEmbedding(string name, int channels, int imageSize, int patch, int dim, bool bias = false)
    {
        if (channels is not (1 or 3))
            throw new ArgumentException($"PatchEmbedding '{name}': channels must be 1 or 3; got {channels}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (imageSize <= 0 || imageSize % patch != 0)
            throw new ArgumentException($"PatchEmbedding '{name}': image size {imageSize} is not a positive multiple of patch {patch}.", nameof(imageSize));
        Name = name;
        Channels = channels;
        ImageSize = imageSize;
        PatchSize = patch;
        Dim = dim;
        GridSize = imageSize / patch;
        Weight = new Parameter(name + ".weight", new Tensor(dim, channels, patch, patch));
        Bias = bias ? new Parameter(name + ".bias", new Tensor(dim)) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>The layer's dotted name prefix.</summary>
    public string Name { get; }

    /// <summary>Input channels C (1 or 3).</summary>
    public int Channels { get; }

    /// <summary>Input height and width.</summary>
    public int ImageSize { get; }

    /// <summary>Patch side p (kernel and stride).</summary>
    public int PatchSize { get; }

    /// <summary>Output width.</summary>
    public int Dim { get; }

    /// <summary>Patches per side, G = imageSize / p.</summary>
    public int GridSize { get; }

    /// <summary>Patches per image, P = G².</summary>
    public int Patches => GridSize * GridSize;

    /// <summary>W, shape (dim, C, p, p).</summary>
    public Parameter Weight { get; }

    /// <summary>b, shape (dim), or null (CLIP has none).</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Length of one patch row, C·p·p: the columns of W viewed as (dim, C·p·p).</summary>
    public int InFeatures => Channels * PatchSize * PatchSize;

    /// <summary>Output width (same as <see cref="Dim"/>).</summary>
    public int OutFeatures => Dim;

    /// <inheritdoc />
    public bool TracksCurvature { get => _tap.Tracking; set => _tap.Tracking = value; }

    /// <inheritdoc />
    /// <remarks>The images of the last Forward; KFAC reads their patch rows from <see cref="CurvatureInput"/>.</remarks>
    public Tensor? LastInput => _input;

    /// <inheritdoc />
    /// <remarks>The im2col patch matrix (B·P, C·p·p), owned by the layer.</remarks>
    public ReadOnlySpan<float> CurvatureInput() => _tap.ReadInput(Name);

    /// <inheritdoc />
    public ReadOnlySpan<float> CurvatureGradOutput() => _tap.ReadGradOutput(Name, _batch * Patches * Dim);

    private int PatchLength => InFeatures;

    /// <summary>Fills W with N(0, <paramref name="std"/>²) and the bias, if any, with zeros.</summary>
    public void Initialize(Rng rng, float std)
    {
        rng.FillNormal(Weight.Value.Span, 0f, std);
        Bias?.Value.Clear();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        Begin(input);
        var cols = Tensor.Ensure(ref _cols, _batch * Patches, PatchLength);
        Im2Col.Forward(input.Span, cols.Span, _batch, Channels, ImageSize, ImageSize, PatchSize);
        _tap.Forward(cols);
        var y = Tensor.Ensure(ref _output, _batch, Patches, Dim);
        Project(cols.Span, Weight.Value.Span, Bias is null ? default : Bias.Value.Span, y.Span);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        if (_input is null) throw new InvalidOperationException($"PatchEmbedding '{Name}': Backward called before Forward.");
        if (!gradOutput.HasShape(_batch, Patches, Dim))
            throw new ArgumentException($"PatchEmbedding '{Name}': output gradient {gradOutput.ShapeText} does not match the output [{_batch}, {Patches}, {Dim}] of the last Forward.", nameof(gradOutput));
        _tap.Backward(gradOutput);
        int rows = _batch * Patches, k = PatchLength;
        var gy = gradOutput.Span;
        // ∂L/∂W (dim × C·p·p) += gyᵀ (dim × B·P) · cols (B·P × C·p·p)
        if (Weight.RequiresGrad)
        {
            var gradWeight = Weight.GradForWrite(out bool overwrite); // right after ZeroGrad: store, don't add to zeros
            Gemm.Default.Sgemm(Transpose.Transpose, Transpose.None, Dim, k, rows, 1f, gy, Dim, _cols!.Span, k, overwrite ? 0f : 1f, gradWeight.Span, k);
        }
        if (Bias is { RequiresGrad: true }) ElementwiseDriver.AddColumnSums(gy, rows, Dim, Bias.Grad.Span);
        // ∂L/∂cols = gy · W, then col2im back to image layout.
        var gradCols = Tensor.Ensure(ref _gradCols, rows, k);
        Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, k, Dim, 1f, gy, Dim, Weight.Value.Span, k, 0f, gradCols.Span, k);
        var gradInput = Tensor.Ensure(ref _gradInput, _input.Shape);
        Im2Col.Backward(gradCols.Span, gradInput.Span, _batch, Channels, ImageSize, ImageSize, PatchSize);
        return gradInput;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        var tan = Tensor.Ensure(ref _tanOutput, _batch, Patches, Dim);
        var tb = Bias?.Tangent;
        // ẏ = im2col(ẋ) · Wᵀ + cols · Ẇᵀ + ḃ
        if (tanInput is not null)
        {
            if (!tanInput.HasShape(input.Shape))
                throw new ArgumentException($"PatchEmbedding '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
            var tanCols = Tensor.Ensure(ref _tanCols, _batch * Patches, PatchLength);
            Im2Col.Forward(tanInput.Span, tanCols.Span, _batch, Channels, ImageSize, ImageSize, PatchSize);
            Project(tanCols.Span, Weight.Value.Span, tb is null ? default : tb.Span, tan.Span);
        }
        else if (tb is not null) Broadcast(tb.Span, tan.Span);
        else tan.Clear();
        if (Weight.Tangent is { } tw) Project(_cols!.Span, tw.Span, default, tan.Span, accumulate: true);
        return new Dual(y, tan);
    }

    // y (B·P × dim) = cols (B·P × C·p·p) · wᵀ + b, b empty for none; with accumulate, y += cols · wᵀ (b unused).
    private void Project(ReadOnlySpan<float> cols, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, bool accumulate = false)
    {
        int k = PatchLength;
        float beta = accumulate ? 1f : 0f;
        if (!accumulate && !b.IsEmpty)
        {
            Broadcast(b, y);
            beta = 1f;
        }
        Gemm.Default.Sgemm(Transpose.None, Transpose.Transpose, _batch * Patches, Dim, k, 1f, cols, k, w, k, beta, y, Dim);
    }

    private static void Broadcast(ReadOnlySpan<float> row, Span<float> destination)
    {
        for (int off = 0; off < destination.Length; off += row.Length) row.CopyTo(destination.Slice(off, row.Length));
    }

    private void Begin(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(input.Rank == 4 && input.Dim(1) == Channels && input.Dim(2) == ImageSize && input.Dim(3) == ImageSize))
            throw new ArgumentException($"PatchEmbedding '{Name}' expects images (batch, {Channels}, {ImageSize}, {ImageSize}); got {input.ShapeText}.", nameof(input));
        _input = input;
        _batch = input.Dim(0);
    }
}
