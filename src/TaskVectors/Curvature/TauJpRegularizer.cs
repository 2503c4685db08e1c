// TauJpRegularizer: the data-based τJp baseline (Yoshida et al., ICLR 2025): while task t is fine-tuned,
// penalize how far τ moves the base model's embeddings of the *other* tasks' inputs,
//   R(τ) = β · (1/B) Σ_{x ∈ batch} ‖J(x; θ0)·τ‖²,   ∂R/∂τ = (2β/B) · Σ_x J(x; θ0)ᵀ (J(x; θ0)·τ),
// J (D × P) the Jacobian of the L2-normalized embedding f (D dims) w.r.t. the P trainable entries at θ0.
// The call for optimizer step k reads positions k·b … k·b + b − 1 of each of the T other tasks' seeded
// orders (B = T·b; a pure function of (seed, k), so resumed runs match), and per task runs one JVP
// pass (tangents τ) for J·τ (b, D) and one backward pass at θ0 with ∂R/∂f = (2β/B)·J·τ.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.Curvature;

/// <summary>
/// The τJp regularizer: R(τ) = β · (1/B) Σ_x ‖J(x; θ0)·τ‖² over the step's batch of the other tasks' inputs
/// (labels ignored) at every optimizer step, with gradient ∂R/∂τ = (2β/B) · Σ_x J(x; θ0)ᵀ J(x; θ0) τ.
/// </summary>
/// <remarks>
/// <para>
/// <b>Batches.</b> Every call takes one batch of <see cref="BatchSizePerTask"/> = b examples from <em>each</em>
/// other task (as the authors' code does: one loader per other task, penalties averaged over tasks), so
/// B = T·b and every task weighs the same whatever its size. Task u's examples follow an
/// <see cref="EpochSampler"/> seeded from (<c>seed</c>, u); the call for optimizer step k reads positions
/// k·b … k·b + b − 1 of that order, so the batches are a pure function of (seed, k) and nothing else: a fine-tuning
/// run resumed from a checkpoint at step k draws the batches an uninterrupted run would, and calling twice
/// with the same step (and τ) gives the same value.
/// </para>
/// <para>
/// <b>Regimes.</b> J is always taken at θ0. In the linearized regime the model already holds θ0 and the
/// trainables' tangents are τ. In the non-linear regime (a trainable whose <see cref="TrainableParameter.Theta"/>
/// is the model's own tensor) θ is saved, θ0 copied in for the two passes, and θ copied back bit for bit,
/// also when a pass throws. Every model parameter's <see cref="Parameter.Tangent"/> is restored to what it was.
/// </para>
/// <para>
/// <b>Side effects.</b> The passes overwrite the model's layer caches (call after the data backward, as the
/// fine-tuner does) and the backward adds the penalty's gradient to <em>every</em> parameter's accumulator,
/// the untrained ones included (the fine-tuner ignores those). The model runs in whatever mode it is in
/// (dropout included). The model sizes its workspaces by batch shape, so a b equal to the fine-tuning
/// micro-batch keeps training steps free of re-allocation. After the first call, a call allocates nothing.
/// </para>
/// <para>
/// The authors penalize the mean of ‖J·τ‖ (not squared); the squared form used here is the quadratic
/// drift penalty τᵀ E[JᵀJ] τ that TAK approximates with KFAC, so the two regularizers are comparable.
/// </para>
/// </remarks>
/// <typeparam name="TInput">A batch of model inputs (an image tensor or a text batch).</typeparam>
public sealed class TauJpRegularizer<TInput> : IRegularizer
{
    private readonly IEmbeddingModel<TInput> _model;
    private readonly ILabeledData<TInput>[] _tasks;
    private readonly EpochSampler[] _samplers;
    private readonly TInput[] _batches;
    private readonly int[] _indices;
    private readonly ulong _seed;                            // of the per-task orders: part of the identity
    private readonly Tensor _gradEmbedding;                 // (b, D): (2β/B)·J·τ for the backward pass
    private readonly HashSet<Parameter> _modelParameters;   // membership check of the trainables (by reference)
    private readonly Tensor?[] _savedTangents;              // every model parameter's tangent before the call
    private Tensor?[] _savedTheta = [];                      // θ of non-linear trainables while θ0 is in the model
    private bool[] _swapped = [];                            // which trainables hold θ0 in place of θ right now

    /// <summary>
    /// Creates the regularizer for fine-tuning <paramref name="model"/> against <paramref name="otherTasks"/>
    /// (one source per other task, or a single pooled source; labels are never read).
    /// </summary>
    /// <param name="model">The model being fine-tuned; J is taken at its base weights θ0.</param>
    /// <param name="otherTasks">The other tasks' data; every call draws <paramref name="batchSizePerTask"/> inputs from each.</param>
    /// <param name="batchSizePerTask">b, examples per other task per call (B = T·b in total).</param>
    /// <param name="strength">β ≥ 0, the penalty's weight.</param>
    /// <param name="seed">Seed of the per-task example orders.</param>
    /// <exception cref="ArgumentException">No task, an empty task, b ≤ 0, or β negative or not finite.</exception>
    public TauJpRegularizer(IEmbeddingModel<TInput> model, IReadOnlyList<ILabeledData<TInput>> otherTasks, int batchSizePerTask, double strength, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(otherTasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSizePerTask);
        if (!(strength >= 0) || double.IsInfinity(strength))
            throw new ArgumentException($"The strength β must be non-negative and finite, not {strength}.", nameof(strength));
        if (otherTasks.Count == 0) throw new ArgumentException("τJp needs the data of at least one other task.", nameof(otherTasks));
        _model = model;
        _tasks = [.. otherTasks];
        _samplers = new EpochSampler[_tasks.Length];
        _batches = new TInput[_tasks.Length];
        var seeds = new Rng(seed);
        for (int u = 0; u < _tasks.Length; u++)
        {
            var task = _tasks[u] ?? throw new ArgumentException($"Other task {u} is null.", nameof(otherTasks));
            if (task.Count == 0) throw new ArgumentException($"Other task {u} ('{task.Description}') has no examples.", nameof(otherTasks));
            _samplers[u] = new EpochSampler(task.Count, seeds.NextUInt64());
            _batches[u] = task.CreateBatch(batchSizePerTask);
        }
        _indices = new int[batchSizePerTask];
        _gradEmbedding = new Tensor(batchSizePerTask, model.EmbeddingDim);
        _modelParameters = new HashSet<Parameter>(model.Parameters, ReferenceEqualityComparer.Instance);
        _savedTangents = new Tensor?[model.Parameters.Count];
        BatchSizePerTask = batchSizePerTask;
        Strength = strength;
        _seed = seed;
    }

    /// <inheritdoc />
    /// <remarks>"tau-jp(beta=…, b=…, seed=…, tasks=[description:count; …])": the batches are a function of these.</remarks>
    public string Identity => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"tau-jp(beta={Strength:R}, b={BatchSizePerTask}, seed={_seed}, tasks=[{string.Join("; ", _tasks.Select(t => $"{t.Description}:{t.Count}"))}])");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A trainable parameter is not a parameter of the regularized model.</exception>
    public void Prepare(IReadOnlyList<TrainableParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckMembership(parameters);
    }

    private void CheckMembership(IReadOnlyList<TrainableParameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (!_modelParameters.Contains(parameters[i].Parameter))
                throw new ArgumentException($"Trainable parameter '{parameters[i].Name}' is not a parameter of the regularized model.", nameof(parameters));
    }

    /// <inheritdoc />
    public string Name => "tau-jp";

    /// <summary>β, the penalty's weight.</summary>
    public double Strength { get; }

    /// <summary>b, the examples drawn from each other task per call.</summary>
    public int BatchSizePerTask { get; }

    /// <summary>T, the number of other tasks (data sources).</summary>
    public int TaskCount => _tasks.Length;

    /// <summary>
    /// Calls completed so far by this instance (diagnostics only: which batches a call reads depends on its
    /// step argument, never on this count).
    /// </summary>
    public long Calls { get; private set; }

    /// <summary>
    /// Returns R(τ) = β · (1/B) Σ_x ‖J(x; θ0)·τ‖² on the batch of optimizer step <paramref name="step"/> (B = T·b inputs:
    /// positions step·b … step·b + b − 1 of each other task's seeded order) and adds
    /// ∂R/∂τ = (2β/B) · Σ_x J(x; θ0)ᵀ J(x; θ0) τ to each trainable's <see cref="TrainableParameter.Grad"/>.
    /// τ is <see cref="TrainableParameter.Tau"/>; parameters not in <paramref name="parameters"/> get a zero tangent.
    /// </summary>
    /// <param name="parameters">The trainable parameters.</param>
    /// <param name="step">The 0-based optimizer step; it alone (with the seed) picks the batch.</param>
    /// <exception cref="ArgumentException">A trainable parameter is not a parameter of the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        CheckMembership(parameters);
        EnsureWorkspace(parameters);

        if (Strength == 0)
        {
            Calls++;
            return 0;
        }
        int b = BatchSizePerTask;
        double total = (double)_tasks.Length * b;
        float gradScale = (float)(2 * Strength / total);
        var all = _model.Parameters;
        double sumOfSquares = 0;
        for (int i = 0; i < all.Count; i++) _savedTangents[i] = all[i].Tangent;
        try
        {
            // Tangents: τ on the trainables, 0 elsewhere; θ0 into the parameters that hold θ.
            for (int i = 0; i < all.Count; i++) all[i].Tangent = null;
            for (int i = 0; i < parameters.Count; i++)
            {
                var t = parameters[i];
                if (ReferenceEquals(t.Parameter.Value, t.Theta))
                {
                    t.Theta.Span.CopyTo(_savedTheta[i]!.Span);
                    _swapped[i] = true;
                    t.Theta0.Span.CopyTo(t.Parameter.Value.Span);
                }
                t.Parameter.Tangent = t.Tau;
            }

            for (int u = 0; u < _tasks.Length; u++)
            {
                _samplers[u].Fill(step * b, _indices);
                _tasks[u].Fill(_batches[u], _indices);
                var jtau = _model.Jvp(_batches[u]).Tangent;                    // (b, D): J(x; θ0)·τ per row
                sumOfSquares += TensorMath.SumOfSquaresDouble(jtau.Span);
                TensorMath.Scale(jtau.Span, gradScale, _gradEmbedding.Span);   // ∂R/∂f = (2β/B)·J·τ
                _model.Backward(_gradEmbedding);                               // adds (2β/B)·Jᵀ J τ
            }
            Calls++;
        }
        finally
        {
            // Backwards, so that a parameter listed twice ends with the θ saved first.
            for (int i = _swapped.Length - 1; i >= 0; i--)
            {
                if (!_swapped[i]) continue;
                _savedTheta[i]!.Span.CopyTo(parameters[i].Parameter.Value.Span);
                _swapped[i] = false;
            }
            for (int i = 0; i < all.Count; i++)
            {
                all[i].Tangent = _savedTangents[i];
                _savedTangents[i] = null;
            }
        }
        return Strength * sumOfSquares / total;
    }

    // Backup buffers for θ of the non-linear trainables, (re)allocated only when the trainable set changes.
    private void EnsureWorkspace(IReadOnlyList<TrainableParameter> parameters)
    {
        if (_swapped.Length != parameters.Count)
        {
            _swapped = new bool[parameters.Count];
            _savedTheta = new Tensor?[parameters.Count];
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var t = parameters[i];
            if (!ReferenceEquals(t.Parameter.Value, t.Theta)) continue;
            if (_savedTheta[i] is not { } saved || !saved.HasShape(t.Theta.Shape)) _savedTheta[i] = new Tensor(t.Theta.Shape);
        }
    }
}
