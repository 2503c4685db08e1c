// BertMetadata: a BERT config (with the pooler's presence) as safetensors "__metadata__" entries named
// as in Hugging Face's config.json, and back, so a converted checkpoint carries its own shape.
using System.Globalization;
using TaskVectors.Models;

namespace TaskVectors.Pretrained;

/// <summary>Writes and reads the config keys of converted checkpoints.</summary>
internal static class BertMetadata
{
    public const string Format = "taskvectors.bert/1";

    public static Dictionary<string, string> Write(TextTransformerConfig config, bool hasPooler) => new(StringComparer.Ordinal)
    {
        ["format"] = Format,
        ["model_type"] = "bert",
        ["vocab_size"] = Text(config.VocabSize),
        ["hidden_size"] = Text(config.Width),
        ["num_hidden_layers"] = Text(config.Layers),
        ["num_attention_heads"] = Text(config.Heads),
        ["intermediate_size"] = Text(config.MlpWidth),
        ["max_position_embeddings"] = Text(config.MaxPositions),
        ["type_vocab_size"] = Text(config.TypeVocabSize),
        ["layer_norm_eps"] = config.LayerNormEps.ToString("R", CultureInfo.InvariantCulture),
        ["hidden_act"] = "gelu",
        ["has_pooler"] = hasPooler ? "true" : "false",
    };

    /// <exception cref="InvalidDataException">A key is missing or unreadable, or the file is not a converted BERT checkpoint.</exception>
    public static (TextTransformerConfig Config, bool HasPooler) Read(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (metadata.GetValueOrDefault("format") != Format)
            throw new InvalidDataException($"{path}: not a converted BERT checkpoint (metadata 'format' is '{metadata.GetValueOrDefault("format")}', not '{Format}').");
        int Int(string key) => metadata.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i
            : throw new InvalidDataException($"{path}: metadata '{key}' is missing or not an integer.");
        if (!metadata.TryGetValue("layer_norm_eps", out var epsText) || !float.TryParse(epsText, NumberStyles.Float, CultureInfo.InvariantCulture, out float eps))
            throw new InvalidDataException($"{path}: metadata 'layer_norm_eps' is missing or not a number.");
        var config = new TextTransformerConfig
        {
            VocabSize = Int("vocab_size"),
            Width = Int("hidden_size"),
            Layers = Int("num_hidden_layers"),
            Heads = Int("num_attention_heads"),
            MlpWidth = Int("intermediate_size"),
            MaxPositions = Int("max_position_embeddings"),
            TypeVocabSize = Int("type_vocab_size"),
            LayerNormEps = eps,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: inconsistent config in metadata: {e.Message}", e); }
        return (config, metadata.GetValueOrDefault("has_pooler") == "true");
    }

    /// <summary>Strict loading with exact names; "pooler." may be missing only from a file without a pooler.</summary>
    public static CheckpointLoadOptions LoadOptions(bool hasPooler) =>
        hasPooler ? CheckpointLoadOptions.Exact : CheckpointLoadOptions.Exact with { AllowMissingPrefixes = ["pooler."] };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
