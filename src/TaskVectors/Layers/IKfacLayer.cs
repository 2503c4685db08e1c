// IKfacLayer: a layer whose weight gets a Kronecker-factored (KFAC) curvature block. It exposes the rows
// KFAC reads: inputs ā (rows, InFeatures) of its last Forward and output gradients g (rows, OutFeatures)
// of its last Backward, with W viewed as (OutFeatures, InFeatures) and an optional bias (OutFeatures).
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// A layer computing y_r = W·a_r + b per row r (W viewed as OutFeatures × InFeatures, whatever its stored shape), so the
/// Fisher block of [W | b] is approximated by A ⊗ G with A = E[ā āᵀ], ā = [a; 1], and G = E[g gᵀ], g = ∂L/∂y_r.
/// A <see cref="Linear"/> reads a = its input row; a patch embedding reads a = one image patch.
/// </summary>
/// <remarks>
/// While <see cref="TracksCurvature"/> is on, the layer stamps what it will hand to KFAC (the input at Forward, the output
/// gradient at Backward); <see cref="CurvatureInput"/> and <see cref="CurvatureGradOutput"/> fail if the stamped tensor was
/// changed since (a caller's in-place arithmetic on a tensor it still shares with the layer), instead of returning rows
/// that would silently corrupt A or G.
/// </remarks>
public interface IKfacLayer : IParameterized
{
    /// <summary>The layer's dotted name prefix (the block name).</summary>
    string Name { get; }

    /// <summary>W, read as a row-major (OutFeatures × InFeatures) matrix.</summary>
    Parameter Weight { get; }

    /// <summary>b (OutFeatures), or null.</summary>
    Parameter? Bias { get; }

    /// <summary>Width of a KFAC input row a (the columns of W).</summary>
    int InFeatures { get; }

    /// <summary>Width of an output row y (the rows of W).</summary>
    int OutFeatures { get; }

    /// <summary>Whether Forward and Backward stamp what KFAC reads (off by default; the KFAC estimator switches it on).</summary>
    bool TracksCurvature { get; set; }

    /// <summary>
    /// The tensor the last Forward/Jvp received, or null before the first: layers whose last Forward read the very same
    /// tensor (q, k and v) can share one block.
    /// </summary>
    Tensor? LastInput { get; }

    /// <summary>The input rows a (rows × InFeatures) of the last Forward/Jvp.</summary>
    /// <exception cref="InvalidOperationException">No Forward ran, or the input was changed after a tracked Forward.</exception>
    ReadOnlySpan<float> CurvatureInput();

    /// <summary>The output-gradient rows g (rows × OutFeatures) of the last Backward, rows as in <see cref="CurvatureInput"/>.</summary>
    /// <exception cref="InvalidOperationException">No Backward ran since the last Forward, or the gradient was changed after a tracked Backward.</exception>
    ReadOnlySpan<float> CurvatureGradOutput();
}
