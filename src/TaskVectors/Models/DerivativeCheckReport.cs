// DerivativeCheckReport: the outcome of ModelChecks.Derivatives — one line per parameter, the worst first
// in ToString, so a failing user test says which parameter's Backward or Jvp is wrong and by how much.
using System.Globalization;
using System.Text;

namespace TaskVectors.Models;

/// <summary>Every parameter's <see cref="ParameterCheck"/>, in the model's parameter order.</summary>
public sealed class DerivativeCheckReport
{
    internal DerivativeCheckReport(IReadOnlyList<ParameterCheck> parameters, double primalError)
    {
        Parameters = parameters;
        PrimalError = primalError;
        Worst = parameters.Count == 0 ? null : parameters.MaxBy(p => double.IsNaN(p.Error) ? double.PositiveInfinity : p.Error);
    }

    /// <summary>The checks, one per parameter, in parameter order.</summary>
    public IReadOnlyList<ParameterCheck> Parameters { get; }

    /// <summary>Largest |Jvp primal − Forward| relative to the finite-difference tolerance (Jvp must return f itself).</summary>
    public double PrimalError { get; }

    /// <summary>The parameter with the largest error, or null for a model without parameters.</summary>
    public ParameterCheck? Worst { get; }

    /// <summary>Whether every check of every parameter passed.</summary>
    public bool Passed => PrimalError <= 1 && Parameters.All(p => p.Passed);

    /// <summary>Throws when a check failed, with <see cref="ToString"/> as the message.</summary>
    /// <exception cref="InvalidOperationException">A check failed.</exception>
    public void ThrowIfFailed()
    {
        if (!Passed) throw new InvalidOperationException(ToString());
    }

    /// <summary>A summary line, the worst parameter's comparison, then up to ten failing parameters.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        int failed = Parameters.Count(p => !p.Passed);
        text.Append(c, $"Derivative check {(Passed ? "passed" : "FAILED")}: {Parameters.Count} parameters, {failed} failing; errors are multiples of the tolerance.");
        if (PrimalError > 1) text.Append(c, $"\n  Jvp's primal differs from Forward ({PrimalError:G3}× tolerance).");
        if (Worst is { } w)
            text.Append(c, $"\n  worst: {w.Name} (backward {w.BackwardError:G3}, jvp {w.JvpError:G3}, adjoint {w.AdjointError:G3}): {w.Worst}");
        foreach (var p in Parameters.Where(p => !p.Passed && !ReferenceEquals(p, Worst)).Take(10))
            text.Append(c, $"\n  {p.Name}: backward {p.BackwardError:G3}, jvp {p.JvpError:G3}, adjoint {p.AdjointError:G3}: {p.Worst}");
        return text.ToString();
    }
}
