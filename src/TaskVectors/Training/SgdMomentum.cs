// SgdMomentum: stochastic gradient descent with (optionally Nesterov) momentum and coupled weight decay,
// exactly torch.optim.SGD. Per slot θ (any shape) with gradient g it keeps a momentum buffer (θ's shape,
// none when μ = 0); one step updates θ and the buffer in place over fixed chunks spread across
// ParallelLoop, so results never depend on the thread count, and allocates nothing once the slots are fixed.
using TaskVectors.Tensors;
using TaskVectors.Threading;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Training;

/// <summary>
/// SGD with momentum, as torch.optim.SGD (maximize = false). Step t with learning rate lr:
/// <code>
/// d ← g + λ·θ                                  (coupled weight decay, when λ ≠ 0)
/// b ← d if t = 1, else μ·b + (1 − dampening)·d  (when μ ≠ 0)
/// d ← d + μ·b if Nesterov, else b               (when μ ≠ 0)
/// θ ← θ − lr·d
/// </code>
/// Per-element arithmetic is float and rounds where PyTorch 1.13's CPU implementation does (its add-with-alpha
/// is a fused multiply-add; see <see cref="OptimizerKernels.SgdUpdate"/>), so θ equals torch 1.13.1's
/// bit-for-bit; the hyperparameters are rounded once to float. State keys: tensors "sgd.momentum_buffer.{slot}" (when μ ≠ 0);
/// scalars "sgd.step", "sgd.momentum", "sgd.dampening", "sgd.weight_decay", "sgd.nesterov".
/// </summary>
internal sealed class SgdMomentum : IOptimizer
{
    private readonly OptimizerState _state;

    /// <summary>SGD with momentum μ = <paramref name="momentum"/> (0 gives plain SGD).</summary>
    /// <param name="momentum">μ, finite and ≥ 0.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0, added to the gradient as λ·θ.</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0 and zero dampening, as in PyTorch.</param>
    /// <param name="dampening">Dampening of the gradient's share in the buffer, finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum or with dampening.</exception>
    public SgdMomentum(double momentum = 0.9, double weightDecay = 0, bool nesterov = false, double dampening = 0)
    {
        if (!(momentum >= 0 && double.IsFinite(momentum)))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be finite and non-negative.");
        if (!(weightDecay >= 0 && double.IsFinite(weightDecay)))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be finite and non-negative.");
        if (!double.IsFinite(dampening))
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "Dampening must be finite.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        Dampening = dampening;
        _state = momentum != 0 ? new OptimizerState("sgd.", "momentum_buffer") : new OptimizerState("sgd.");
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>λ (coupled).</summary>
    public double WeightDecay { get; }

    /// <summary>Whether steps are Nesterov steps.</summary>
    public bool Nesterov { get; }

    /// <summary>Dampening.</summary>
    public double Dampening { get; }

    /// <inheritdoc />
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public void Attach(IReadOnlyList<OptimizerSlot> slots) => _state.Bind(slots);

    /// <inheritdoc />
    public void Step(IReadOnlyList<OptimizerSlot> slots, double learningRate)
    {
        AdamW.CheckLearningRate(learningRate);
        _state.Bind(slots);
        var body = new StepBody(_state, (float)WeightDecay, (float)Momentum, (float)(1 - Dampening), Nesterov,
            firstStep: StepCount == 0, (float)-learningRate);
        ParallelLoop.For(_state.ChunkCount, body);
        StepCount++;
    }

    /// <inheritdoc />
    public void ExportState(IDictionary<string, Tensor> tensors, IDictionary<string, string> scalars)
    {
        _state.Export(StepCount, tensors, scalars);
        _state.WriteScalar(scalars, "momentum", Momentum);
        _state.WriteScalar(scalars, "dampening", Dampening);
        _state.WriteScalar(scalars, "weight_decay", WeightDecay);
        _state.WriteScalar(scalars, "nesterov", Nesterov);
    }

    /// <inheritdoc />
    public void ImportState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        _state.CheckScalar(scalars, "momentum", Momentum);
        _state.CheckScalar(scalars, "dampening", Dampening);
        _state.CheckScalar(scalars, "weight_decay", WeightDecay);
        _state.CheckScalar(scalars, "nesterov", Nesterov);
        StepCount = _state.Import(tensors, scalars);
    }

    private readonly struct StepBody(OptimizerState state, float weightDecay, float momentum, float oneMinusDampening, bool nesterov,
        bool firstStep, float negativeLearningRate) : ILoopBody
    {
        public void Invoke(int index)
        {
            int slot = state.ChunkSlot[index], start = state.ChunkStart[index], count = state.ChunkSize[index];
            OptimizerKernels.SgdUpdate(
                state.Values[slot].Span.Slice(start, count), state.Grads[slot].Span.Slice(start, count),
                state.Buffers.Length == 0 ? default : state.Buffers[0][slot].Span.Slice(start, count),
                weightDecay, momentum, oneMinusDampening, nesterov, firstStep, negativeLearningRate);
        }
    }
}
