// IPerSampleGradients: a layer that, after Backward, splits some of its parameter gradients by sample:
// the batch gradient ∂L/∂θ_p is Σ_n g_{p,n}, and the layer can write every g_{p,n} (B, |θ_p|). KFAC's
// full dense blocks (LayerNorm γ and β, the class embedding) are built from these.
namespace TaskVectors.Layers;

/// <summary>
/// A layer whose listed parameters' gradients from the last Backward can be reported per sample: for a batch
/// of B samples (the first axis of the last Forward's input), g_{p,n} = ∂L_n/∂θ_p where L = Σ_n L_n and
/// ∂L/∂y is the gradient the last Backward received, so Σ_n g_{p,n} is what Backward added to θ_p's gradient.
/// </summary>
public interface IPerSampleGradients
{
    /// <summary>The parameters <see cref="PerSampleGradient"/> supports.</summary>
    IReadOnlyList<Parameter> PerSampleParameters { get; }

    /// <summary>
    /// Writes g_{p,n} for every sample n of the last Backward into <paramref name="destination"/> (B, |θ_p|),
    /// row-major; allocates nothing after the first call.
    /// </summary>
    /// <exception cref="InvalidOperationException">No Backward has run yet.</exception>
    /// <exception cref="ArgumentException">The parameter is not listed, or the destination is not B·|θ_p| long.</exception>
    void PerSampleGradient(Parameter parameter, Span<float> destination);
}
