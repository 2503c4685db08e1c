// TauJpRegularization: the data-based τJp baseline against the plan's other tasks' training inputs.
namespace TaskVectors.Building;

/// <summary>τJp with its settings.</summary>
internal sealed record TauJpRegularization(TauJpOptions Options) : RegularizerPlan
{
    public override bool NeedsFactors => false;
}
