// ParameterCheck: one parameter's line of a derivative-check report: each check's error as a multiple of
// its tolerance (≤ 1 passes) and the worst comparison in words.
namespace TaskVectors.Models;

/// <summary>
/// The derivative checks of one parameter θ_p. Each error is |difference| / allowed, so 1 is the tolerance.
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="BackwardError">Backward's ∂L/∂θ_p against central differences (worst coordinate or direction).</param>
/// <param name="JvpError">Jvp's J_p·v_p against the central difference of f along v_p (worst output entry).</param>
/// <param name="AdjointError">⟨u, J_p v_p⟩ from Jvp against ⟨J_pᵀu, v_p⟩ from Backward.</param>
/// <param name="Worst">The worst comparison of the three, e.g. "backward [17]: 0.1234 vs finite difference 0.1301".</param>
public sealed record ParameterCheck(string Name, double BackwardError, double JvpError, double AdjointError, string Worst)
{
    /// <summary>The largest of the three errors.</summary>
    public double Error => Math.Max(BackwardError, Math.Max(JvpError, AdjointError));

    /// <summary>Whether every check is within its tolerance (and finite).</summary>
    public bool Passed => Error <= 1;
}
