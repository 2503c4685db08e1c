// MergeMethods: the registry of merge methods by name (mergekit's idea), so a configuration file or a command line
// can name one: task_arithmetic, ties, dare_ties, dare_linear, tall, consensus, iso_c, iso_cts, tsv, regmean, fisher.
using System.Collections.Concurrent;

namespace TaskVectors.Merging;

/// <summary>Creates merge methods by registry name; more can be registered.</summary>
public static class MergeMethods
{
    private static readonly ConcurrentDictionary<string, Func<MergeOptions, IMergeMethod>> Factories = new(StringComparer.Ordinal)
    {
        ["task_arithmetic"] = _ => new TaskArithmeticMerge(),
        ["ties"] = o => new TiesMerge(o),
        ["dare_ties"] = o => new DareMerge(ties: true, o),
        ["dare_linear"] = o => new DareMerge(ties: false, o),
        ["tall"] = o => new ConsensusMerge(tall: true, o),
        ["consensus"] = o => new ConsensusMerge(tall: false, o),
        ["iso_c"] = _ => new IsoCMerge(),
        ["iso_cts"] = o => new IsoCtsMerge(o),
        ["tsv"] = _ => new TsvMerge(),
        ["regmean"] = o => new RegMeanMerge(o),
        ["fisher"] = o => new FisherMerge(o),
    };

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A new instance of the method registered as <paramref name="name"/>, with <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="ArgumentException">No method has that name (the message lists the known ones).</exception>
    public static IMergeMethod Create(string name, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out var factory)
            ? factory(options ?? new MergeOptions())
            : throw new ArgumentException($"No merge method is named '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Registers (or replaces) a method under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or whitespace.</exception>
    public static void Register(string name, Func<MergeOptions, IMergeMethod> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }
}
