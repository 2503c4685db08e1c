// OnnxBertImport: what importing a BERT ONNX export found: the config read from its graph, whether
// it has a pooler, and the Hugging Face name of every parameter with the ONNX initializer it came from.
using TaskVectors.Models;

namespace TaskVectors.Pretrained;

/// <summary>The result of <see cref="OnnxBertImporter.Convert(string, string, IReadOnlyDictionary{string, string}?)"/>.</summary>
public sealed class OnnxBertImport
{
    internal OnnxBertImport(TextTransformerConfig config, bool hasPooler, IReadOnlyDictionary<string, string> sources, IReadOnlyList<string> transposed)
    {
        Config = config;
        HasPooler = hasPooler;
        Sources = sources;
        Transposed = transposed;
    }

    /// <summary>The BERT shape read from the graph (widths, layers, heads, MLP width, vocabulary, positions, eps).</summary>
    public TextTransformerConfig Config { get; }

    /// <summary>Whether the graph holds BERT's pooler ("pooler.dense.*"); when false, load with <see cref="CheckpointLoadOptions.AllowMissingPrefixes"/> = ["pooler."].</summary>
    public bool HasPooler { get; }

    /// <summary>Hugging Face parameter name → the ONNX initializer it was read from (the same name unless recovered).</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>Parameters stored [in, out] in the graph and written transposed, as PyTorch's [out, in].</summary>
    public IReadOnlyList<string> Transposed { get; }

    /// <summary>The names whose ONNX initializer had another name (recovered from the graph).</summary>
    public IEnumerable<string> Recovered => Sources.Where(p => p.Key != p.Value).Select(p => p.Key);

    /// <summary>The strict-load options for the written file: Hugging Face names, with "pooler." allowed to be missing when <see cref="HasPooler"/> is false.</summary>
    public CheckpointLoadOptions LoadOptions => BertMetadata.LoadOptions(HasPooler);
}
