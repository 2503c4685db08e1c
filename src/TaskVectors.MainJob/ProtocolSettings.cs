// ProtocolSettings: what each profile runs: the methods, the α grids (free for linearized methods, whose merged
// embedding is linear in α; one pass over the validation sets per α for non-linear ones), the factor estimator and
// the example counts of the factor-saturation measurement.
using System.Globalization;
using TaskVectors.Curvature;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.MainJob;

internal sealed record ProtocolSettings
{
    public required IReadOnlyList<MethodSpec> Methods { get; init; }
    public required IReadOnlyList<float> LinearAlphas { get; init; }
    public required IReadOnlyList<float> NonLinearAlphas { get; init; }
    public required IReadOnlyList<float> NegationAlphas { get; init; }
    public required bool NonLinearNegation { get; init; }
    public required KfacOptions Kfac { get; init; }
    public required IReadOnlyList<int> FactorSizes { get; init; }
    public int TauJpBatchPerTask { get; init; } = 4;
    public int EvaluationBatch { get; init; } = 32;

    public static ProtocolSettings For(MainJobProfile profile, double beta, double tauJpBeta)
    {
        string b = beta.ToString(CultureInfo.InvariantCulture), bj = tauJpBeta.ToString(CultureInfo.InvariantCulture);
        var linearFt = new MethodSpec("linear FT", Regime.Linearized, ParameterSelection.LinearizedTak, Penalty.None);
        var tak = new MethodSpec($"linear FT + TAK (β = {b})", Regime.Linearized, ParameterSelection.LinearizedTak, Penalty.Tak);
        var ggn = new MethodSpec($"linear FT + diagonal GGN (β = {b})", Regime.Linearized, ParameterSelection.LinearizedTak, Penalty.DiagonalGgn);
        var tauJp = new MethodSpec($"linear FT + τJp (β = {bj})", Regime.Linearized, ParameterSelection.LinearizedTak, Penalty.TauJp);
        // Non-linear FT trains the same set as the linearized methods (every Linear and LayerNorm), not the embeddings.
        var nonLinear = new MethodSpec("non-linear FT", Regime.NonLinear, ParameterSelection.LinearizedTak, Penalty.None);
        var attention = new MethodSpec("attention-only FT", Regime.NonLinear, ParameterSelection.AttentionOnly, Penalty.None);
        var attentionTak = new MethodSpec($"attention-only FT + TAK (β = {b})", Regime.NonLinear, ParameterSelection.AttentionOnly, Penalty.Tak);
        float[] Grid(int from, int to, int stepHundredths) => [.. Enumerable.Range(0, (to - from) / stepHundredths + 1).Select(i => (from + i * stepHundredths) / 100f)];
        return profile == MainJobProfile.Quick
            ? new ProtocolSettings
            {
                Methods = [linearFt, tak, nonLinear],
                LinearAlphas = Grid(0, 150, 5),
                NonLinearAlphas = [0.25f, 0.5f, 0.75f, 1f],
                NegationAlphas = Grid(0, 200, 5),
                NonLinearNegation = false,
                Kfac = new KfacOptions { MaxExamples = 32, BatchSize = 16 },
                FactorSizes = [8, 16, 32],
            }
            : new ProtocolSettings
            {
                Methods = [linearFt, tak, ggn, tauJp, nonLinear, attention, attentionTak],
                LinearAlphas = Grid(0, 150, 5),
                NonLinearAlphas = Grid(25, 150, 25),
                NegationAlphas = Grid(0, 200, 5),
                NonLinearNegation = true,
                Kfac = new KfacOptions { Diagonal = true, MaxExamples = 300, BatchSize = 32 },
                FactorSizes = [100, 300, 600],
            };
    }
}
