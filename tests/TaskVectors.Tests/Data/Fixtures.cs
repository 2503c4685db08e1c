// Fixtures: locates the committed data/fixtures folder from the test binary's directory upwards.
namespace TaskVectors.Tests.Data;

internal static class Fixtures
{
    public static string PathOf(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine([dir.FullName, "data", "fixtures", .. parts]);
            if (File.Exists(path) || Directory.Exists(path)) return path;
        }
        throw new FileNotFoundException($"data/fixtures/{string.Join('/', parts)} not found");
    }

    /// <summary>Max |a − b| with a one-line summary of where, never the arrays.</summary>
    public static (double Max, string Summary) Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance)
    {
        actual.Length.ShouldBe(expected.Length);
        double max = 0;
        int worst = -1, over = 0;
        var first = new List<string>();
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (!(d <= tolerance)) { over++; if (first.Count < 5) first.Add($"[{i}] {actual[i]} vs {expected[i]}"); }
            if (!(d <= max)) { max = d; worst = i; }
        }
        return (max, $"{actual.Length} values, {over} over {tolerance:G4}, max |diff| {max:G4} at {worst}; first: {string.Join("; ", first)}");
    }
}
