// DerivativeChecks: ground truth for Backward and Jvp. Central finite differences of the float32
// forward (per coordinate and along random directions), and the adjoint identity
// ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ tying Jvp to Backward. Sums are taken in double precision.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public static class DerivativeChecks
{
    /// <summary>
    /// Checks Backward: for L = ⟨r, f(x; θ)⟩ with random r, compares ∂L/∂x and every ∂L/∂θ_p with central
    /// differences on up to <paramref name="coordinates"/> random coordinates of each tensor and along
    /// two random directions. Error bound: |fd − g| ≤ atol + rtol·max(|fd|, |g|).
    /// </summary>
    public static void Backward(Probe probe, ulong seed = 1, double eps = 1e-3, double atol = 2e-3, double rtol = 1e-2, int coordinates = 24)
    {
        var rng = new Rng(seed);
        var y = probe.Forward();
        var r = new Tensor(y.Shape);
        rng.FillNormal(r.Span);
        foreach (var p in probe.Parameters) p.ZeroGrad();
        var gradInput = probe.Backward(r)?.Clone();
        double Loss() => Dot(r, probe.Forward());

        foreach (var (name, value, grad) in Targets(probe, gradInput))
        {
            int count = Math.Min(coordinates, value.Length);
            for (int c = 0; c < count; c++)
            {
                int i = value.Length <= coordinates ? c : rng.NextInt(value.Length);
                float saved = value[i];
                value[i] = saved + (float)eps;
                double plus = Loss();
                value[i] = saved - (float)eps;
                double minus = Loss();
                value[i] = saved;
                double fd = (plus - minus) / (2 * eps);
                Close(fd, grad[i], atol, rtol).ShouldBeTrue($"∂L/∂{name}[{i}]: backward {grad[i]:G6}, finite difference {fd:G6}");
            }
            for (int d = 0; d < 2; d++)
            {
                var v = new float[value.Length];
                rng.FillNormal(v);
                var saved = value.Span.ToArray();
                Shift(value, saved, v, eps);
                double plus = Loss();
                Shift(value, saved, v, -eps);
                double minus = Loss();
                saved.CopyTo(value.Span);
                double fd = (plus - minus) / (2 * eps);
                double g = Dot(grad.Span, v);
                Close(fd, g, atol * Math.Sqrt(value.Length), rtol).ShouldBeTrue($"⟨∂L/∂{name}, v⟩: backward {g:G6}, finite difference {fd:G6}");
            }
        }
        probe.Forward();
    }

    /// <summary>
    /// Checks Jvp: ẏ for random tangents of the input and every parameter equals the central difference
    /// (f(x + εẋ; θ + εv) − f(x − εẋ; θ − εv)) / 2ε elementwise, and the primal equals Forward.
    /// </summary>
    public static void Jvp(Probe probe, ulong seed = 2, double eps = 1e-3, double atol = 2e-3, double rtol = 1e-2)
    {
        var rng = new Rng(seed);
        var tangents = RandomTangents(probe, rng, out var tanInput);
        var dual = probe.Jvp(tanInput);
        var primal = dual.Primal.Clone();
        var tan = dual.Tangent.Clone();
        ClearTangents(probe);
        var forward = probe.Forward().Clone();
        for (int i = 0; i < forward.Length; i++) primal[i].ShouldBe(forward[i], 1e-5 * (1 + Math.Abs(forward[i])), $"Jvp primal[{i}]");

        var saved = tangents.Select(t => t.Value.Span.ToArray()).ToList();
        for (int k = 0; k < tangents.Count; k++) Shift(tangents[k].Value, saved[k], tangents[k].Direction, eps);
        var plus = probe.Forward().Clone();
        for (int k = 0; k < tangents.Count; k++) Shift(tangents[k].Value, saved[k], tangents[k].Direction, -eps);
        var minus = probe.Forward().Clone();
        for (int k = 0; k < tangents.Count; k++) saved[k].CopyTo(tangents[k].Value.Span);
        for (int i = 0; i < tan.Length; i++)
        {
            double fd = ((double)plus[i] - minus[i]) / (2 * eps);
            Close(fd, tan[i], atol, rtol).ShouldBeTrue($"ẏ[{i}]: jvp {tan[i]:G6}, finite difference {fd:G6}");
        }
        probe.Forward();
    }

    /// <summary>
    /// Checks ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ where J·v comes from Jvp (input and parameter tangents v) and Jᵀ·u from
    /// Backward with ∂L/∂y = u. Both sides are exact up to float rounding, so the tolerance is tight.
    /// </summary>
    public static void Adjoint(Probe probe, ulong seed = 3, double rtol = 1e-4)
    {
        var rng = new Rng(seed);
        var tangents = RandomTangents(probe, rng, out var tanInput);
        var jv = probe.Jvp(tanInput).Tangent.Clone();
        ClearTangents(probe);
        var u = new Tensor(jv.Shape);
        rng.FillNormal(u.Span);
        double left = Dot(u, jv);

        probe.Forward();
        foreach (var p in probe.Parameters) p.ZeroGrad();
        var gradInput = probe.Backward(u);
        double right = 0, scale = 0;
        if (tanInput is not null && gradInput is not null)
        {
            right += Dot(gradInput.Span, tanInput.Span);
            scale += Norm(gradInput.Span) * Norm(tanInput.Span);
        }
        foreach (var p in probe.Parameters)
        {
            var v = tangents.First(t => ReferenceEquals(t.Value, p.Value)).Direction;
            right += Dot(p.Grad.Span, v);
            scale += Norm(p.Grad.Span) * Norm(v);
        }
        Math.Abs(left - right).ShouldBeLessThanOrEqualTo(rtol * Math.Max(scale, 1e-12), $"⟨u, Jv⟩ = {left:G9} but ⟨Jᵀu, v⟩ = {right:G9}");
    }

    private static List<(Tensor Value, float[] Direction)> RandomTangents(Probe probe, Rng rng, out Tensor? tanInput)
    {
        var list = new List<(Tensor, float[])>();
        tanInput = null;
        if (probe.Input is { } x)
        {
            tanInput = new Tensor(x.Shape);
            rng.FillNormal(tanInput.Span);
            list.Add((x, tanInput.Span.ToArray()));
        }
        foreach (var p in probe.Parameters)
        {
            var t = new Tensor(p.Value.Shape);
            rng.FillNormal(t.Span);
            p.Tangent = t;
            list.Add((p.Value, t.Span.ToArray()));
        }
        return list;
    }

    private static void ClearTangents(Probe probe)
    {
        foreach (var p in probe.Parameters) p.Tangent = null;
    }

    private static IEnumerable<(string Name, Tensor Value, Tensor Grad)> Targets(Probe probe, Tensor? gradInput)
    {
        if (probe.Input is { } x && gradInput is not null) yield return ("input", x, gradInput);
        foreach (var p in probe.Parameters) yield return (p.Name, p.Value, p.Grad.Clone());
    }

    private static void Shift(Tensor value, float[] saved, float[] direction, double eps)
    {
        var s = value.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(saved[i] + eps * direction[i]);
    }

    private static bool Close(double expected, double actual, double atol, double rtol) =>
        Math.Abs(expected - actual) <= atol + rtol * Math.Max(Math.Abs(expected), Math.Abs(actual));

    private static double Dot(Tensor a, Tensor b) => Dot(a.Span, b.Span);

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static double Norm(ReadOnlySpan<float> a) => Math.Sqrt(Dot(a, a));
}
