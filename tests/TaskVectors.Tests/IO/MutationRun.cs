// MutationRun: the loop of a file-kind mutation test: writes each seeded mutant of a valid file to one path,
// loads it, and sorts the outcome into a valid load, a documented rejection (an accepted exception whose
// message names the file) or an unexpected outcome (any other exception, or a rejection that omits the file).
using System.Diagnostics;
using System.Globalization;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

internal static class MutationRun
{
    internal sealed record Summary(int Cases, int Loaded, int Rejected, TimeSpan Slowest, TimeSpan Total, IReadOnlyList<string> Unexpected)
    {
        public string ToString(IFormatProvider provider) => string.Format(provider,
            "{0} mutants: {1} loaded, {2} rejected, {3} unexpected; slowest case {4:F1} ms, all {5:F1} s.",
            Cases, Loaded, Rejected, Unexpected.Count, Slowest.TotalMilliseconds, Total.TotalSeconds);
    }

    /// <summary>Runs <paramref name="cases"/> mutants of <paramref name="valid"/> written to <paramref name="path"/> through <paramref name="load"/>.</summary>
    public static Summary Run(byte[] valid, string path, int cases, ulong seed, Action load, Func<Exception, bool> accepted)
    {
        var rng = new Rng(seed);
        int loaded = 0, rejected = 0;
        var unexpected = new List<string>();
        var slowest = TimeSpan.Zero;
        var all = Stopwatch.StartNew();
        string fileName = Path.GetFileName(path);
        for (int i = 0; i < cases; i++)
        {
            byte[] mutant = SafetensorsMutator.Mutate(valid, rng, out int kind);
            File.WriteAllBytes(path, mutant);
            var clock = Stopwatch.StartNew();
            try
            {
                load();
                loaded++;
            }
            catch (Exception e) when (accepted(e))
            {
                if (!e.Message.Contains(fileName, StringComparison.Ordinal))
                    unexpected.Add(string.Create(CultureInfo.InvariantCulture, $"case {i} (kind {kind}): {e.GetType().Name} without the file: {e.Message}"));
                rejected++;
            }
            catch (Exception e)
            {
                if (unexpected.Count < 20)
                    unexpected.Add(string.Create(CultureInfo.InvariantCulture, $"case {i} (kind {kind}): {e.GetType().Name}: {e.Message}"));
                else unexpected.Add("…");
            }
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
        }
        return new Summary(cases, loaded, rejected, slowest, all.Elapsed, unexpected);
    }
}
