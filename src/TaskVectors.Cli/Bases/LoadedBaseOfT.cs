// LoadedBase<TInput>: a resolved base with its model, its data loader (files → labeled examples the model takes) and,
// for text bases, the prompt encoder zero-shot heads use.
using TaskVectors.Cli.Inputs;
using TaskVectors.Data;
using TaskVectors.Models;

namespace TaskVectors.Cli.Bases;

internal sealed class LoadedBase<TInput> : LoadedBase
{
    /// <summary>θ0.</summary>
    public required IEmbeddingModel<TInput> Model { get; init; }

    /// <summary>Reads a data set given on the command line into examples of this base's input type.</summary>
    public required Func<DataSpec, ILabeledData<TInput>> LoadData { get; init; }

    /// <summary>Encodes sentences into one batch (text bases); null for image bases.</summary>
    public Func<IReadOnlyList<string>, TInput>? EncodeText { get; init; }

    public override TResult Apply<TResult>(IBaseWork<TResult> work) => work.Run(this);
}
