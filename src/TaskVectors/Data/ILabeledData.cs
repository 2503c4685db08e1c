// ILabeledData: a task's labeled examples, gathered into preallocated batch buffers so that a
// training step copies examples without allocating.
namespace TaskVectors.Data;

/// <summary>N labeled examples of one task, with labels in [0, <see cref="Classes"/>).</summary>
/// <typeparam name="TInput">A batch buffer type: a <see cref="Tensors.Tensor"/> of images, or a <see cref="Models.TextBatch"/>.</typeparam>
public interface ILabeledData<TInput>
{
    /// <summary>Number of examples N.</summary>
    int Count { get; }

    /// <summary>Number of classes of the task.</summary>
    int Classes { get; }

    /// <summary>A short description for metadata (source, split, size).</summary>
    string Description { get; }

    /// <summary>The label of example <paramref name="index"/>.</summary>
    int Label(int index);

    /// <summary>Allocates a batch buffer holding <paramref name="size"/> examples.</summary>
    TInput CreateBatch(int size);

    /// <summary>Copies examples <paramref name="indices"/> into <paramref name="batch"/> (sized for exactly that many) without allocating.</summary>
    void Fill(TInput batch, ReadOnlySpan<int> indices);
}
