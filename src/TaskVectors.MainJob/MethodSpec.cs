// MethodSpec: one method of the protocol: label, regime, trainable set and penalty.
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.MainJob;

internal enum Penalty { None, Tak, DiagonalGgn, TauJp }

internal sealed record MethodSpec(string Label, Regime Regime, ParameterSelection Trainable, Penalty Penalty)
{
    public string RegimeText => Regime == Regime.Linearized ? "linearized" : "non-linear";
}
