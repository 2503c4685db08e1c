// CosineHead: frozen zero-shot classification head, f (…, C) -> logits (…, K) = s·f·Hᵀ, with H the
// (K, C) class embeddings normalized to unit rows and s a fixed logit scale. Nothing here trains.
using TaskVectors.Blas;
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// logits[n, k] = s · ⟨f[n], H[k]⟩ for every row n of the input's leading axes, where H (K × C) holds
/// unit-norm class embeddings and s is a fixed logit scale (CLIP: 100). With f already L2-normalized
/// upstream (see <see cref="L2Normalize"/>), logits = s·cos(f, class). Backward: ∂L/∂f = s·(∂L/∂logits)·H.
/// Jvp: ẏ = s·ḟ·Hᵀ.
/// <para>
/// Task heads are frozen and never part of a task vector, so the head has no trainable parameters:
/// <see cref="Parameters"/> is empty, Backward never writes <c>Weight.Grad</c>, and Jvp ignores
/// <c>Weight.Tangent</c>. <see cref="Weight"/> ("{name}.weight", K × C) is still exposed as a named
/// parameter so heads can be saved and loaded; its rows are L2-normalized whenever they are set through
/// the constructor or <see cref="SetClassEmbeddings"/> (values written into <c>Weight.Value</c> directly
/// are used as they are).
/// </para>
/// </summary>
public sealed class CosineHead : ILayer
{
    private Tensor? _input, _output, _gradInput, _tanOutput;

    /// <summary>
    /// Creates a head named <paramref name="name"/> from <paramref name="classEmbeddings"/> (K × C, copied and
    /// row-normalized) with logit scale <paramref name="logitScale"/>.
    /// </summary>
    public CosineHead(string name, Tensor classEmbeddings, float logitScale = 100f)
    {
        ArgumentNullException.ThrowIfNull(classEmbeddings);
        if (classEmbeddings.Rank != 2 || classEmbeddings.Dim(0) == 0 || classEmbeddings.Dim(1) == 0)
            throw new ArgumentException($"CosineHead '{name}' expects class embeddings (K, C) with K, C > 0; got {classEmbeddings.ShapeText}.", nameof(classEmbeddings));
        if (!float.IsFinite(logitScale)) throw new ArgumentOutOfRangeException(nameof(logitScale), logitScale, $"CosineHead '{name}': the logit scale must be finite.");
        Name = name;
        Classes = classEmbeddings.Dim(0);
        Features = classEmbeddings.Dim(1);
        LogitScale = logitScale;
        Weight = new Parameter(name + ".weight", new Tensor(Classes, Features));
        SetClassEmbeddings(classEmbeddings);
    }

    /// <summary>The head's dotted name prefix.</summary>
    public string Name { get; }

    /// <summary>K, the number of classes.</summary>
    public int Classes { get; }

    /// <summary>C, the embedding width.</summary>
    public int Features { get; }

    /// <summary>s, the fixed logit scale.</summary>
    public float LogitScale { get; }

    /// <summary>H, shape (K, C), frozen: not listed in <see cref="Parameters"/>.</summary>
    public Parameter Weight { get; }

    /// <summary>Empty: the head is frozen.</summary>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Copies <paramref name="classEmbeddings"/> (K × C) into <see cref="Weight"/> and normalizes each row to unit L2 norm (zero rows stay zero).</summary>
    public void SetClassEmbeddings(Tensor classEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(classEmbeddings);
        if (!classEmbeddings.HasShape(Classes, Features))
            throw new ArgumentException($"CosineHead '{Name}': class embeddings {classEmbeddings.ShapeText} do not match [{Classes}, {Features}].", nameof(classEmbeddings));
        Span<float> norms = Classes <= 256 ? stackalloc float[Classes] : new float[Classes];
        L2NormalizeKernels.Forward(classEmbeddings.Span, Weight.Value.Span, norms, Classes, Features, 1e-12f);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        int rows = Rows(input);
        _input = input;
        var y = Tensor.EnsureLastAxis(ref _output, input, Classes);
        // logits (N × K) = s · f (N × C) · Hᵀ (C × K)
        Gemm.Default.Sgemm(Transpose.None, Transpose.Transpose, rows, Classes, Features,
            LogitScale, input.Span, Features, Weight.Value.Span, Features, 0f, y.Span, Classes);
        return y;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"CosineHead '{Name}': Backward called before Forward.");
        int rows = x.Length / Features;
        if (gradOutput.Rank != x.Rank || gradOutput.Dim(-1) != Classes || gradOutput.Length != rows * Classes)
            throw new ArgumentException($"CosineHead '{Name}': output gradient {gradOutput.ShapeText} does not match the output of the last Forward.", nameof(gradOutput));
        var gx = Tensor.EnsureLastAxis(ref _gradInput, x, Features);
        // ∂L/∂f (N × C) = s · gy (N × K) · H (K × C)
        Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, Features, Classes,
            LogitScale, gradOutput.Span, Classes, Weight.Value.Span, Features, 0f, gx.Span, Features);
        return gx;
    }

    /// <inheritdoc />
    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        var y = Forward(input);
        var ty = Tensor.EnsureLastAxis(ref _tanOutput, input, Classes);
        if (tanInput is null) ty.Clear();
        else
        {
            if (!tanInput.HasShape(input.Shape))
                throw new ArgumentException($"CosineHead '{Name}': input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
            Gemm.Default.Sgemm(Transpose.None, Transpose.Transpose, input.Length / Features, Classes, Features,
                LogitScale, tanInput.Span, Features, Weight.Value.Span, Features, 0f, ty.Span, Classes);
        }
        return new Dual(y, ty);
    }

    private int Rows(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Dim(-1) != Features)
            throw new ArgumentException($"CosineHead '{Name}' expects a last axis of {Features}; got input {input.ShapeText}.", nameof(input));
        return input.Length / Features;
    }
}
