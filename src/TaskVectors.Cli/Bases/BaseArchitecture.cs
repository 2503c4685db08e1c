// BaseArchitecture: the metadata a base checkpoint carries so that the tool can rebuild its model from the file alone.
//   "taskvectors.architecture" = "vit": a CLIP-layout VisionTransformer, its config under Hugging Face CLIPVisionConfig's
//   keys (image_size, patch_size, num_channels, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size,
//   projection_dim, layer_norm_eps).
//   A BERT encoder converted by OnnxBertImporter carries its config.json keys already ("format" = "taskvectors.bert/1");
//   "taskvectors.pooling" (mean | cls | pooler) says how its sequences become embeddings (default mean).
// Merged checkpoints copy their base's metadata, so they load the same way.
using System.Globalization;
using TaskVectors.Models;

namespace TaskVectors.Cli.Bases;

internal static class BaseArchitecture
{
    public const string ArchitectureKey = "taskvectors.architecture";
    public const string PoolingKey = "taskvectors.pooling";
    public const string Vit = "vit";
    public const string Bert = "bert";

    /// <summary>The metadata recording a ViT config.</summary>
    public static Dictionary<string, string> Write(VisionTransformerConfig config) => new(StringComparer.Ordinal)
    {
        [ArchitectureKey] = Vit,
        ["image_size"] = Text(config.ImageSize),
        ["patch_size"] = Text(config.PatchSize),
        ["num_channels"] = Text(config.Channels),
        ["hidden_size"] = Text(config.Width),
        ["num_hidden_layers"] = Text(config.Layers),
        ["num_attention_heads"] = Text(config.Heads),
        ["intermediate_size"] = Text(config.MlpWidth),
        ["projection_dim"] = Text(config.ProjectionDim),
        ["layer_norm_eps"] = config.LayerNormEps.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>The ViT config a file's metadata records.</summary>
    /// <exception cref="InvalidDataException">A key is missing or unreadable, or the config is inconsistent (names the file and key).</exception>
    public static VisionTransformerConfig ReadVit(IReadOnlyDictionary<string, string> metadata, string path)
    {
        int Int(string key) => metadata.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i
            : throw new InvalidDataException($"'{path}': metadata \"{key}\" is missing or not an integer.");
        if (!metadata.TryGetValue("layer_norm_eps", out var epsText) || !float.TryParse(epsText, NumberStyles.Float, CultureInfo.InvariantCulture, out float eps))
            throw new InvalidDataException($"'{path}': metadata \"layer_norm_eps\" is missing or not a number.");
        var config = new VisionTransformerConfig
        {
            ImageSize = Int("image_size"), PatchSize = Int("patch_size"), Channels = Int("num_channels"), Width = Int("hidden_size"),
            Layers = Int("num_hidden_layers"), Heads = Int("num_attention_heads"), MlpWidth = Int("intermediate_size"),
            ProjectionDim = Int("projection_dim"), LayerNormEps = eps,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': inconsistent ViT config in metadata: {e.Message}", e); }
        return config;
    }

    /// <summary>The pooling named in metadata (default mean, as sentence-transformers).</summary>
    public static TextPooling ReadPooling(IReadOnlyDictionary<string, string> metadata, string path) =>
        metadata.GetValueOrDefault(PoolingKey) switch
        {
            null or "mean" => TextPooling.Mean,
            "cls" => TextPooling.Cls,
            "pooler" => TextPooling.Pooler,
            var other => throw new InvalidDataException($"'{path}': metadata \"{PoolingKey}\" is '{other}', not mean, cls or pooler."),
        };

    /// <summary>The metadata text of a pooling.</summary>
    public static string PoolingText(TextPooling pooling) => pooling switch
    {
        TextPooling.Cls => "cls",
        TextPooling.Pooler => "pooler",
        _ => "mean",
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
