// BenchTools: what every table verb shares: reading "--name value" options and timing an action as the
// median of several runs after warm-up calls.
using System.Diagnostics;
using System.Globalization;

namespace TaskVectors.Bench;

internal static class BenchTools
{
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
}
