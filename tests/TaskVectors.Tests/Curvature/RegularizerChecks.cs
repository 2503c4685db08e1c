// RegularizerChecks: the central-difference check every regularizer's gradient must pass: for each entry
// of each trainable θ, (R(θ + ε e_i) − R(θ − ε e_i)) / 2ε against the gradient the regularizer added.
using TaskVectors.Training;

namespace TaskVectors.Tests.Curvature;

internal static class RegularizerChecks
{
    public static void GradientMatchesCentralDifferences(IRegularizer regularizer, IReadOnlyList<TrainableParameter> trainable, float eps = 1e-2f)
    {
        foreach (var p in trainable) p.Grad.Clear();
        regularizer.AddPenaltyGradient(trainable, step: 0);
        var gradients = trainable.Select(p => p.Grad.Span.ToArray()).ToList();
        double Value()
        {
            foreach (var p in trainable) p.RefreshTau();
            return regularizer.AddPenaltyGradient(trainable, step: 0);
        }
        double scale = gradients.Max(g => g.Max(Math.Abs));
        for (int k = 0; k < trainable.Count; k++)
        {
            var theta = trainable[k].Theta.Span;
            for (int i = 0; i < theta.Length; i++)
            {
                float saved = theta[i];
                theta[i] = saved + eps;
                double plus = Value();
                theta[i] = saved - eps;
                double minus = Value();
                theta[i] = saved;
                double fd = (plus - minus) / (2.0 * eps);
                Math.Abs(fd - gradients[k][i]).ShouldBeLessThanOrEqualTo(1e-4 * scale + 1e-3 * Math.Abs(fd),
                    $"∂R/∂{trainable[k].Name}[{i}]: {gradients[k][i]:G6} vs finite difference {fd:G6}");
            }
        }
        foreach (var p in trainable) p.RefreshTau();
    }
}
