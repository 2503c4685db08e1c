// Dual: a primal tensor with its forward-mode tangent, as returned by Jvp.
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>A primal value y and its tangent ẏ (same shape).</summary>
public readonly record struct Dual(Tensor Primal, Tensor Tangent);
