// ParameterSelection: which parameters a fine-tuning run trains, by name patterns ('*' matches any
// run of characters, dots included) and by layer kind, with the presets the paper uses.
using System.Text.RegularExpressions;
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Training;

/// <summary>
/// A set of trainable parameters: those whose name matches an include pattern (or that belong to a Linear
/// layer, when <see cref="IncludeLinears"/>) and no exclude pattern. Patterns are globs over dotted names.
/// </summary>
public sealed record ParameterSelection
{
    /// <summary>A short name for metadata ("linearized-tak", "attention-only", "full" or "custom").</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Glob patterns of names to train.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Glob patterns of names never to train (applied after <see cref="Include"/>).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Also train the weight and bias of every Linear layer the model lists (the <see cref="Linear"/> layers of <see cref="IModule.Registration"/>).</summary>
    public bool IncludeLinears { get; init; }

    /// <summary>
    /// The paper's linearized-TAK set: every Linear weight and bias (q/k/v/out, fc1/fc2, the final projection),
    /// every LayerNorm, and the class embedding.
    /// </summary>
    public static ParameterSelection LinearizedTak { get; } = new()
    {
        Name = "linearized-tak",
        IncludeLinears = true,
        Include = ["*norm*.weight", "*norm*.bias", "*Norm*.weight", "*Norm*.bias", "*class_embedding"],
    };

    /// <summary>Attention-only fine-tuning: the q, k, v and output projections of every attention block (CLIP and BERT names).</summary>
    public static ParameterSelection AttentionOnly { get; } = new()
    {
        Name = "attention-only",
        Include =
        [
            "*.self_attn.q_proj.*", "*.self_attn.k_proj.*", "*.self_attn.v_proj.*", "*.self_attn.out_proj.*",
            "*.attention.self.query.*", "*.attention.self.key.*", "*.attention.self.value.*", "*.attention.output.dense.*",
        ],
    };

    /// <summary>Every parameter of the model.</summary>
    public static ParameterSelection Full { get; } = new() { Name = "full", Include = ["*"] };

    /// <summary>The selected parameters of <paramref name="model"/>, in the model's parameter order.</summary>
    /// <exception cref="ArgumentException">Nothing matches.</exception>
    public IReadOnlyList<Parameter> Select<TInput>(IEmbeddingModel<TInput> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var linear = IncludeLinears
            ? model.Registration.KfacLayers.OfType<Linear>().SelectMany(l => l.Parameters).Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
            : [];
        var include = Include.Select(Compile).ToArray();
        var exclude = Exclude.Select(Compile).ToArray();
        var selected = model.Parameters
            .Where(p => (linear.Contains(p.Name) || include.Any(r => r.IsMatch(p.Name))) && !exclude.Any(r => r.IsMatch(p.Name)))
            .ToList();
        if (selected.Count == 0)
            throw new ArgumentException($"Parameter selection '{Name}' matches no parameter of the model.", nameof(model));
        return selected;
    }

    private static Regex Compile(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
}
