// CheckpointLoadOptions: how a checkpoint's tensor names map onto a model's parameter names: a
// prefix to strip ("bert."), prefixes of tensors to skip (task heads such as "cls." or "classifier."),
// and the legacy LayerNorm names older BERT files still carry (".gamma"/".beta").
namespace TaskVectors.Models;

/// <summary>Name mapping applied by <see cref="Checkpoint.Load(Layers.IParameterized, string, CheckpointLoadOptions?)"/>.</summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>Removed from the start of every file name that has it (e.g. "bert.").</summary>
    public string StripPrefix { get; init; } = "";

    /// <summary>File tensors whose (unstripped) name starts with one of these are skipped, not reported as unexpected.</summary>
    public IReadOnlyList<string> IgnorePrefixes { get; init; } = [];

    /// <summary>Maps "LayerNorm.gamma" → "LayerNorm.weight" and "LayerNorm.beta" → "LayerNorm.bias" (old BERT checkpoints).</summary>
    public bool MapLegacyLayerNormNames { get; init; } = true;

    /// <summary>
    /// Model parameters whose name starts with one of these may be absent from the file: they keep the values they
    /// had (e.g. "pooler." for an encoder exported without BERT's pooler, such as snowflake-arctic-embed-xs).
    /// Explicit, so a file that lacks them otherwise still fails strict loading.
    /// </summary>
    public IReadOnlyList<string> AllowMissingPrefixes { get; init; } = [];

    /// <summary>Exact names, no mapping.</summary>
    public static CheckpointLoadOptions Exact { get; } = new() { MapLegacyLayerNormNames = false };

    /// <summary>
    /// A Hugging Face BERT checkpoint (BertModel, BertForPreTraining or BertForSequenceClassification): strips
    /// "bert.", skips the "cls." pre-training heads and the "classifier." head, maps legacy LayerNorm names.
    /// </summary>
    public static CheckpointLoadOptions HuggingFaceBert { get; } = new() { StripPrefix = "bert.", IgnorePrefixes = ["cls.", "classifier."] };

    /// <summary>Whether model parameter <paramref name="parameterName"/> may be absent from the file (<see cref="AllowMissingPrefixes"/>).</summary>
    public bool AllowsMissing(string parameterName)
    {
        foreach (string prefix in AllowMissingPrefixes)
            if (parameterName.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The model parameter name for file tensor <paramref name="fileName"/>, or null when it is skipped.</summary>
    public string? Map(string fileName)
    {
        foreach (string prefix in IgnorePrefixes)
            if (fileName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        string name = StripPrefix.Length > 0 && fileName.StartsWith(StripPrefix, StringComparison.Ordinal) ? fileName[StripPrefix.Length..] : fileName;
        if (MapLegacyLayerNormNames && name.Contains("LayerNorm.", StringComparison.Ordinal))
        {
            if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) return name[..^"gamma".Length] + "weight";
            if (name.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) return name[..^"beta".Length] + "bias";
        }
        return name;
    }
}
