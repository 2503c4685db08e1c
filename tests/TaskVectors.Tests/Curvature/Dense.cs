// Dense: ground-truth helpers for curvature tests, all in float64 — Jacobians column by column through
// Jvp with unit tangents (column i of J is exactly J·e_i), Kronecker products in the row-major layout of
// KroneckerBlockSpec (F[(o,i),(o',i')] = G[o,o']·A[i,i']), and relative-error comparisons that can fail.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

internal static class Dense
{
    /// <summary>J (B·D × P): rows the flattened embeddings, columns the parameters' entries in order, each row-major.</summary>
    public static double[,] Jacobian(IEmbeddingModel<Tensor> model, Tensor input, IReadOnlyList<Parameter> parameters)
    {
        int columns = parameters.Sum(p => p.Length);
        double[,]? j = null;
        int column = 0;
        foreach (var p in parameters)
        {
            var tangent = new Tensor(p.Value.Shape);
            p.Tangent = tangent;
            for (int i = 0; i < p.Length; i++)
            {
                tangent.Clear();
                tangent[i] = 1f;
                var tan = model.Jvp(input).Tangent;
                j ??= new double[tan.Length, columns];
                for (int r = 0; r < tan.Length; r++) j[r, column] = tan[r];
                column++;
            }
            p.Tangent = null;
        }
        return j!;
    }

    /// <summary>Σ over the given rows r of J[r, :]ᵀ J[r, :] (P × P).</summary>
    public static double[,] Gram(double[,] j, IEnumerable<int> rows)
    {
        int p = j.GetLength(1);
        var result = new double[p, p];
        foreach (int r in rows)
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) result[a, b] += j[r, a] * j[r, b];
        return result;
    }

    /// <summary>G ⊗ A in the row-major [W | b] layout: entry ((o·ad + i), (o'·ad + i')) = G[o,o']·A[i,i'].</summary>
    public static double[,] Kronecker(double[] g, int gd, double[] a, int ad, double scale = 1)
    {
        var result = new double[gd * ad, gd * ad];
        for (int o = 0; o < gd; o++)
            for (int o2 = 0; o2 < gd; o2++)
                for (int i = 0; i < ad; i++)
                    for (int i2 = 0; i2 < ad; i2++) result[o * ad + i, o2 * ad + i2] = scale * g[o * gd + o2] * a[i * ad + i2];
        return result;
    }

    /// <summary>
    /// Permutes the columns of a Jacobian over a Linear's [weight (out × in), bias (out)] entries to the [W | b] row-major
    /// layout (o·(in+1) + i, bias at i = in).
    /// </summary>
    public static double[,] ToAugmentedLayout(double[,] j, int outs, int ins)
    {
        int rows = j.GetLength(0), ad = ins + 1;
        var result = new double[rows, outs * ad];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outs; o++)
            {
                for (int i = 0; i < ins; i++) result[r, o * ad + i] = j[r, o * ins + i];
                result[r, o * ad + ins] = j[r, outs * ins + o];
            }
        return result;
    }

    /// <summary>‖actual − expected‖_F ≤ rtol·‖expected‖_F (+ a tiny floor), with the worst entry in the message.</summary>
    public static void ShouldBeClose(double[,] actual, double[,] expected, double rtol, string what)
    {
        actual.GetLength(0).ShouldBe(expected.GetLength(0), what);
        actual.GetLength(1).ShouldBe(expected.GetLength(1), what);
        double diff = 0, norm = 0, worst = 0;
        (int, int) at = (0, 0);
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int k = 0; k < expected.GetLength(1); k++)
            {
                double d = actual[i, k] - expected[i, k];
                diff += d * d;
                norm += expected[i, k] * expected[i, k];
                if (Math.Abs(d) > worst) (worst, at) = (Math.Abs(d), (i, k));
            }
        Math.Sqrt(diff).ShouldBeLessThanOrEqualTo(rtol * Math.Sqrt(norm) + 1e-300,
            $"{what}: relative error {Math.Sqrt(diff / Math.Max(norm, 1e-300)):G3}; worst entry [{at.Item1}, {at.Item2}] = {actual[at.Item1, at.Item2]:G9} vs {expected[at.Item1, at.Item2]:G9}");
    }

    /// <summary>The same check for flat row-major n × n matrices.</summary>
    public static void ShouldBeClose(double[] actual, double[] expected, int n, double rtol, string what) =>
        ShouldBeClose(Square(actual, n), Square(expected, n), rtol, what);

    /// <summary>The same check for flat row-major rows × columns matrices.</summary>
    public static void ShouldBeClose(double[] actual, double[] expected, int rows, int columns, double rtol, string what) =>
        ShouldBeClose(Matrix(actual, rows, columns), Matrix(expected, rows, columns), rtol, what);

    public static double[,] Square(double[] values, int n) => Matrix(values, n, n);

    public static double[,] Matrix(double[] values, int rows, int columns)
    {
        values.Length.ShouldBe(rows * columns);
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < columns; k++) result[i, k] = values[i * columns + k];
        return result;
    }
}
