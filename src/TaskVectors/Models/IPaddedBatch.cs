// IPaddedBatch: a batch of B samples padded to T tokens, with a (B, T) mask marking the real tokens
// (1) and the padding (0). KFAC estimation reads it so padding never enters a task's factors.
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>A batch whose samples are padded to a common token count T.</summary>
public interface IPaddedBatch
{
    /// <summary>Shape (B, T): 1 for a real token, 0 for padding.</summary>
    Tensor TokenMask { get; }
}
