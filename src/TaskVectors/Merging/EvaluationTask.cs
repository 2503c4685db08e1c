// EvaluationTask: one task of the evaluation protocol: its name, its own frozen head, and its validation and test data.
using TaskVectors.Data;
using TaskVectors.Layers;

namespace TaskVectors.Merging;

/// <summary>A task as the evaluation protocol sees it: α is picked on <paramref name="Validation"/>, accuracy reported on <paramref name="Test"/>.</summary>
/// <param name="Name">The task's name in tables.</param>
/// <param name="Head">The task's frozen classification head (each task is scored with its own head).</param>
/// <param name="Validation">Held-out data for choosing α.</param>
/// <param name="Test">Data the reported accuracies come from.</param>
public sealed record EvaluationTask<TInput>(string Name, CosineHead Head, ILabeledData<TInput> Validation, ILabeledData<TInput> Test);
