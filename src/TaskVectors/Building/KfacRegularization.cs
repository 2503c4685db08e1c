// KfacRegularization: TAK (Kronecker blocks, Eq. 8 "all but t") or its diagonal-GGN baseline, from the factors
// of every other task at θ0, estimated with Factors' settings.
using TaskVectors.Curvature;

namespace TaskVectors.Building;

/// <summary>TAK (<paramref name="Diagonal"/> false) or the diagonal-GGN baseline, with the penalty's and the factors' settings.</summary>
internal sealed record KfacRegularization(bool Diagonal, TakOptions Penalty, KfacOptions Factors) : RegularizerPlan
{
    public override bool NeedsFactors => true;
}
