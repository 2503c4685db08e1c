// GeluApproximation: which form of GELU a Gelu layer computes (PyTorch's `approximate` argument).
namespace TaskVectors.Layers;

/// <summary>The GELU variant, as PyTorch's <c>approximate</c> argument ("none" or "tanh").</summary>
public enum GeluApproximation
{
    /// <summary>Exact GELU: x·Φ(x), Φ(x) = ½(1 + erf(x/√2)) (Hugging Face "gelu", BERT).</summary>
    None,

    /// <summary>Tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hugging Face "gelu_new"/"gelu_pytorch_tanh").</summary>
    Tanh,
}
