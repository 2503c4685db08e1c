// IBaseModelResolver: the seam through which TaskArithmetic.Base(name, …) turns a pretrained model's name into a
// loaded base model θ0 (e.g. a catalogue of bases), so the builder depends on no particular catalogue.
using TaskVectors.Models;

namespace TaskVectors.Building;

/// <summary>Resolves a pretrained base model by name (for <see cref="TaskArithmetic.Base{TInput}(string, IBaseModelResolver{TInput})"/>).</summary>
/// <typeparam name="TInput">The model's batch type (an image <see cref="Tensors.Tensor"/> or a <see cref="TextBatch"/>).</typeparam>
public interface IBaseModelResolver<TInput>
{
    /// <summary>Loads the base model called <paramref name="name"/> with its pretrained weights θ0.</summary>
    /// <exception cref="ArgumentException">No model has that name (the message should list the known ones).</exception>
    IEmbeddingModel<TInput> Resolve(string name);
}
