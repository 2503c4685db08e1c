// ModelChecks: a derivative checker users call in their own tests. For f(x; θ) of any embedding model and
// a random output weighting r, L = ⟨r, f⟩: Backward's ∂L/∂θ_p against central differences (coordinates
// and a random direction v_p), Jvp's J_p·v_p against (f(θ + εv_p) − f(θ − εv_p)) / 2ε elementwise, and the
// adjoint identity ⟨r, J_p v_p⟩ = ⟨J_pᵀ r, v_p⟩ tying the two passes together. Sums in double precision.
using System.Globalization;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>Checks of a model's hand-written or generated passes against independent ground truth.</summary>
public static class ModelChecks
{
    /// <summary>
    /// Checks Backward and Jvp of <paramref name="model"/> at its current parameters on <paramref name="input"/>, parameter by
    /// parameter (see the file remarks). Parameter values, gradients, tangents and <see cref="Parameter.RequiresGrad"/> are
    /// restored afterwards. The model must be deterministic (dropout off).
    /// </summary>
    /// <returns>A report; call <see cref="DerivativeCheckReport.ThrowIfFailed"/> in a test, or read <see cref="DerivativeCheckReport.Worst"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static DerivativeCheckReport Derivatives<TInput>(IEmbeddingModel<TInput> model, TInput input, DerivativeCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new DerivativeCheckOptions();
        options.Validate();
        var parameters = model.Parameters;
        var saved = parameters.Select(p => (Value: p.Value.Span.ToArray(), Grad: p.Grad.Span.ToArray(), p.Tangent, p.RequiresGrad)).ToArray();
        try
        {
            foreach (var p in parameters)
            {
                p.Tangent = null;
                p.RequiresGrad = true;
                p.ZeroGrad();
            }
            return Check(model, input, options);
        }
        finally
        {
            for (int k = 0; k < parameters.Count; k++)
            {
                var p = parameters[k];
                saved[k].Value.CopyTo(p.Value.Span);
                saved[k].Grad.CopyTo(p.Grad.Span);
                p.Tangent = saved[k].Tangent;
                p.RequiresGrad = saved[k].RequiresGrad;
            }
            model.Forward(input);
        }
    }

    private static DerivativeCheckReport Check<TInput>(IEmbeddingModel<TInput> model, TInput input, DerivativeCheckOptions o)
    {
        var c = CultureInfo.InvariantCulture;
        var rng = new Rng(o.Seed);
        var f0 = model.Forward(input).Span.ToArray();
        var r = new float[f0.Length];
        rng.FillNormal(r);
        model.Backward(new Tensor(r, model.Forward(input).Shape));
        var grads = model.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();
        double Loss() => TensorMath.DotDouble(r, model.Forward(input).Span);

        var results = new List<ParameterCheck>();
        double primalError = 0;
        for (int k = 0; k < model.Parameters.Count; k++)
        {
            var p = model.Parameters[k];
            var value = p.Value.Span;
            var g = grads[k];
            double backward = 0, jvp = 0;
            string worst = "", worstBackward = "", worstJvp = "";

            // Backward, coordinate by coordinate.
            int count = Math.Min(o.Coordinates, value.Length);
            for (int j = 0; j < count; j++)
            {
                int i = value.Length <= o.Coordinates ? j : rng.NextInt(value.Length);
                float keep = value[i];
                value[i] = (float)(keep + o.Epsilon);
                double plus = Loss();
                value[i] = (float)(keep - o.Epsilon);
                double minus = Loss();
                value[i] = keep;
                double fd = (plus - minus) / (2 * o.Epsilon);
                double e = Ratio(fd, g[i], o.AbsoluteTolerance, o.RelativeTolerance);
                if (e > backward || j == 0) (backward, worstBackward) = (e, string.Create(c, $"backward [{i}]: {g[i]:G6} vs finite difference {fd:G6}"));
            }

            // One random direction v: Jvp and the directional derivative of L.
            var v = new Tensor(p.Value.Shape);
            rng.FillNormal(v.Span);
            p.Tangent = v;
            var dual = model.Jvp(input);
            p.Tangent = null;
            var tan = dual.Tangent.Span.ToArray();
            var primal = dual.Primal.Span;
            for (int i = 0; i < primal.Length; i++)
                primalError = Math.Max(primalError, Ratio(f0[i], primal[i], o.AbsoluteTolerance, o.RelativeTolerance));
            var keepValue = value.ToArray();
            Shift(p.Value.Span, keepValue, v.Span, o.Epsilon);
            var fPlus = model.Forward(input).Span.ToArray();
            Shift(p.Value.Span, keepValue, v.Span, -o.Epsilon);
            var fMinus = model.Forward(input).Span.ToArray();
            keepValue.CopyTo(p.Value.Span);
            double fdDirection = 0;
            for (int i = 0; i < tan.Length; i++)
            {
                double fd = ((double)fPlus[i] - fMinus[i]) / (2 * o.Epsilon);
                fdDirection += r[i] * fd;
                double e = Ratio(fd, tan[i], o.AbsoluteTolerance, o.RelativeTolerance);
                if (e > jvp || i == 0) (jvp, worstJvp) = (e, string.Create(c, $"jvp output [{i}]: {tan[i]:G6} vs finite difference {fd:G6}"));
            }
            double gv = TensorMath.DotDouble(g, v.Span);
            double direction = Ratio(fdDirection, gv, o.AbsoluteTolerance * Math.Sqrt(value.Length), o.RelativeTolerance);
            if (direction > backward) (backward, worstBackward) = (direction, string.Create(c, $"backward ⟨∂L/∂θ, v⟩: {gv:G6} vs finite difference {fdDirection:G6}"));

            // Adjoint: ⟨r, J v⟩ from Jvp against ⟨Jᵀ r, v⟩ from Backward.
            double left = TensorMath.DotDouble(r, tan);
            // ‖r‖‖v‖ is the scale of a unit Jacobian: a parameter f does not depend on (a key bias) has both sides ~1e-8.
            double rr = TensorMath.DotDouble(r, r), vv = TensorMath.DotDouble(v.Span, v.Span);
            double scale = Math.Max(Math.Sqrt(rr * TensorMath.DotDouble(tan, tan)), Math.Sqrt(TensorMath.DotDouble(g, g) * vv)) + Math.Sqrt(rr * vv);
            double adjoint = Finite(Math.Abs(left - gv) / (o.AdjointTolerance * Math.Max(scale, 1e-30)));

            worst = backward >= jvp && backward >= adjoint ? worstBackward
                : jvp >= adjoint ? worstJvp
                : string.Create(c, $"adjoint: ⟨r, Jv⟩ = {left:G9} but ⟨Jᵀr, v⟩ = {gv:G9}");
            results.Add(new ParameterCheck(p.Name, backward, jvp, adjoint, worst));
        }
        return new DerivativeCheckReport(results, primalError);
    }

    // |fd − g| as a multiple of atol + rtol·max(|fd|, |g|); NaN or ∞ counts as a failure.
    private static double Ratio(double expected, double actual, double atol, double rtol) =>
        Finite(Math.Abs(expected - actual) / Math.Max(atol + rtol * Math.Max(Math.Abs(expected), Math.Abs(actual)), 1e-300));

    private static double Finite(double ratio) => double.IsFinite(ratio) ? ratio : double.PositiveInfinity;

    private static void Shift(Span<float> value, float[] saved, ReadOnlySpan<float> direction, double eps)
    {
        for (int i = 0; i < value.Length; i++) value[i] = (float)(saved[i] + eps * direction[i]);
    }
}
