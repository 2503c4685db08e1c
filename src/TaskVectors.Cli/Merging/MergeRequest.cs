// MergeRequest: everything one merge needs, from command-line flags or a YAML configuration: θ = θ0 + α·method(α_1·τ_1,
// …, α_T·τ_T), with α, the α_t and the method's hyperparameters possibly per tensor.
namespace TaskVectors.Cli.Merging;

internal sealed record MergeRequest
{
    public required string Method { get; init; }
    /// <summary>Where the method was named ("--method" or "merge.yaml:3"), for the unknown-method message.</summary>
    public required string MethodSource { get; init; }
    public string? Base { get; init; }
    public required IReadOnlyList<MergeInput> Inputs { get; init; }
    /// <summary>The method's hyperparameters by configuration name (density, drop_rate, …).</summary>
    public required IReadOnlyDictionary<string, FilteredValue> Parameters { get; init; }
    public required FilteredValue Alpha { get; init; }
    /// <summary>The YAML text the request came from, recorded in the output's metadata; null for flags.</summary>
    public string? ConfigText { get; init; }

    /// <summary>Whether the library's streaming merge can run it as it is (one α, no weights, no per-tensor values).</summary>
    public bool IsStreamable =>
        Alpha.IsUniform && Parameters.Values.All(v => v.IsUniform) && Inputs.All(i => i.Weight.IsUniform && i.Weight.Entries[0].Value == 1.0);
}
