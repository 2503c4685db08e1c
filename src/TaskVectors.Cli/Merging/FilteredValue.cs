// FilteredValue: a merge parameter that may differ per tensor, as in mergekit's configurations: either one number, or
// a list of {filter, value} entries tried in order — the first whose filter matches the tensor's name wins (a filter is
// a substring of the name, or a glob when it holds * or ?), and an entry without a filter matches every tensor.
using System.Globalization;
using System.IO.Enumeration;

namespace TaskVectors.Cli.Merging;

internal sealed record FilteredValue(IReadOnlyList<(string? Filter, double Value)> Entries)
{
    /// <summary>One value for every tensor.</summary>
    public static FilteredValue Of(double value) => new([(null, value)]);

    /// <summary>Whether every tensor gets the same value.</summary>
    public bool IsUniform => Entries.Count == 1 && Entries[0].Filter is null;

    /// <summary>The value for <paramref name="tensor"/>, or null when no entry matches.</summary>
    public double? At(string tensor)
    {
        foreach (var (filter, value) in Entries)
            if (filter is null || Matches(filter, tensor)) return value;
        return null;
    }

    public override string ToString() => IsUniform ? Text(Entries[0].Value)
        : string.Join("; ", Entries.Select(e => (e.Filter is null ? "*" : e.Filter) + "=" + Text(e.Value)));

    private static bool Matches(string filter, string tensor) =>
        filter.AsSpan().IndexOfAny('*', '?') >= 0 ? FileSystemName.MatchesSimpleExpression(filter, tensor, ignoreCase: false) : tensor.Contains(filter, StringComparison.Ordinal);

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
