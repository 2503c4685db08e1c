// MainJobProfile: how much of the protocol the main job runs (see ProtocolSettings for exactly what each holds).
namespace TaskVectors.MainJob;

/// <summary>The main job's size.</summary>
public enum MainJobProfile
{
    /// <summary>Minutes on a 2-core machine: zero-shot, linearized FT, + TAK and non-linear FT on short, capped data.</summary>
    Quick = 0,

    /// <summary>Every method of the paper's table on all the data (hours on a 2-core machine).</summary>
    Full = 1,
}
