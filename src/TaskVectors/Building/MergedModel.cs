// MergedModel: the merged task vector τ* of a plan and its scaling α: the merged model is θ0 + α·τ* (non-linear
// regime) or f(x; θ0) + J(x; θ0)·α·τ* (linearized), as the task vectors were trained.
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Building;

/// <summary>The result of a plan's merge: τ*, the method that made it and α.</summary>
public sealed class MergedModel
{
    internal MergedModel(TaskVector taskVector, string method, float alpha)
    {
        TaskVector = taskVector;
        Method = method;
        Alpha = alpha;
    }

    /// <summary>τ* = method(τ_1, …, τ_T), unscaled.</summary>
    public TaskVector TaskVector { get; }

    /// <summary>The merge method's name.</summary>
    public string Method { get; }

    /// <summary>The α the plan chose (fixed, or the best on validation data).</summary>
    public float Alpha { get; }

    /// <summary>The regime of the task vectors (and so of the merged model).</summary>
    public Regime Regime => TaskVector.Regime;

    /// <summary>
    /// Adds α·τ* to <paramref name="baseModel"/>'s weights (θ0 → θ0 + α·τ*): the merged network for the non-linear regime.
    /// A linearized τ* is meant for f(x; θ0) + J·α·τ* (evaluate it with <see cref="Merging.Evaluator"/>); applying it to
    /// the weights is allowed but gives another model.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not the base model the task vectors were made from.</exception>
    public void ApplyTo(IParameterized baseModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        TaskVector.EnsureBase(baseModel);
        TaskVector.AddTo(baseModel, Alpha);
    }

    /// <summary>Saves α·τ* as a task-vector file (atomic), recording the method and α in its metadata.</summary>
    public void Save(string path) => (Alpha * TaskVector).Save(path);
}
