// BenchTools: what every table verb shares: reading "--name value" options, timing an action as the
// median of several runs after warm-up calls, and timing several actions in alternating rounds so that
// ratios between them can be taken round by round (a shared, noisy machine slows neighbours alike).
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static class BenchTools
{
    /// <summary>
    /// Pause before timing a pass that follows another runtime's: idle threads of OpenBLAS, ONNX Runtime and our own pool
    /// busy-wait for a while after a call (ours 2 ms, OpenBLAS about 0.1 s), and a pass timed inside that window runs on
    /// a core someone else is still spinning on.
    /// </summary>
    public const int SettleMs = 300;

    /// <summary>The integer after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name, null) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The text after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static string? OptionText(string[] args, string name, string? fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Median seconds of <paramref name="runs"/> calls of <paramref name="action"/>, after <paramref name="warmups"/> untimed calls.</summary>
    public static double Median(int runs, Action action, int warmups = 1)
    {
        for (int i = 0; i < warmups; i++) action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    /// <summary>
    /// Seconds of every call: <paramref name="runs"/> rounds after one untimed warm-up round, the actions taking turns
    /// within a round; result[a][r] is action a in round r.
    /// </summary>
    public static double[][] Rounds(int runs, params Action[] actions)
    {
        foreach (var action in actions) action();
        var times = new double[actions.Length][];
        for (int a = 0; a < actions.Length; a++) times[a] = new double[runs];
        for (int r = 0; r < runs; r++)
            for (int a = 0; a < actions.Length; a++)
            {
                long start = Stopwatch.GetTimestamp();
                actions[a]();
                times[a][r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        return times;
    }

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count).</summary>
    public static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>numerator[r] / denominator[r] for every round r.</summary>
    public static double[] Ratios(double[] numerator, double[] denominator) => [.. numerator.Select((t, r) => t / denominator[r])];

    /// <summary>The median over rounds of <paramref name="numerator"/>[r] / <paramref name="denominator"/>[r].</summary>
    public static double PairedRatio(double[] numerator, double[] denominator) => MedianOf(Ratios(numerator, denominator));

    /// <summary>A tensor shaped like <paramref name="like"/> drawn from N(0, 10⁻⁶): a small task vector or tangent.</summary>
    public static Tensor SmallNormal(Tensor like, Rng rng)
    {
        var t = new Tensor(like.Shape);
        rng.FillNormal(t.Span, 0f, 1e-3f);
        return t;
    }
}
