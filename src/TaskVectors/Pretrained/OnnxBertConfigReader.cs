// OnnxBertConfigReader: the BERT hyper-parameters of an ONNX export, read from the graph itself:
// vocab/width/positions/token types from the embedding shapes, layers from "encoder.layer.{i}." names,
// MLP width from the intermediate weights, heads from the constants of the attention Reshapes,
// LayerNorm eps from LayerNormalization nodes or the exporter's ReduceMean-Pow-ReduceMean-Add-Sqrt
// chain, and the activation from one Erf per block (erf GELU). Disagreement is an error, never a vote.
using System.Globalization;
using System.Text.RegularExpressions;
using TaskVectors.Models;

namespace TaskVectors.Pretrained;

/// <summary>Reads a <see cref="TextTransformerConfig"/> and whether a pooler exists from a mapped graph.</summary>
internal static partial class OnnxBertConfigReader
{
    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerName();

    private static readonly string[] EmbeddingNames =
        ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"];

    /// <exception cref="OnnxImportException">A tensor the config needs is missing, or a value is ambiguous or unreadable.</exception>
    public static (TextTransformerConfig Config, bool HasPooler) Read(OnnxGraphIndex graph, IReadOnlyList<OnnxWeight> weights, string source)
    {
        var byName = weights.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var missing = EmbeddingNames.Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new OnnxImportException(source, "not a BERT encoder: embedding tensors are missing.", missing);

        int[] words = byName["embeddings.word_embeddings.weight"].Shape;
        int width = words[1];
        var layerIndices = weights.Select(w => LayerName().Match(w.Name)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        if (layerIndices.Count == 0 || layerIndices[^1] != layerIndices.Count - 1)
            throw new OnnxImportException(source, $"encoder blocks are not numbered 0 … L−1: found {(layerIndices.Count == 0 ? "none" : string.Join(", ", layerIndices))}.", []);
        int layers = layerIndices.Count;

        var mlpWidths = new SortedDictionary<int, List<string>>();
        var missingBlock = new List<string>();
        for (int l = 0; l < layers; l++)
        {
            string name = $"encoder.layer.{l}.intermediate.dense.weight";
            if (!byName.TryGetValue(name, out var w)) { missingBlock.Add(name); continue; }
            Add(mlpWidths, w.Shape[0], name);
        }
        if (missingBlock.Count > 0) throw new OnnxImportException(source, "encoder blocks lack their MLP.", missingBlock);
        int mlp = Single(mlpWidths, "the MLP width (intermediate_size)", source);

        int heads = Single(ReadHeads(graph, layers, width), "the attention head count (from the Reshape shapes after query/key/value)", source);
        float eps = Single(ReadEps(graph, weights), "the LayerNorm epsilon", source);

        int erf = graph.Graph.Node.Count(n => n.OpType == "Erf");
        if (erf != layers)
            throw new OnnxImportException(source, $"the activation is not erf GELU: {erf} Erf nodes for {layers} blocks (tanh-approximated or other activations are not supported).", []);

        bool weightPooler = byName.ContainsKey("pooler.dense.weight"), biasPooler = byName.ContainsKey("pooler.dense.bias");
        if (weightPooler != biasPooler)
            throw new OnnxImportException(source, "the pooler is incomplete.", [weightPooler ? "pooler.dense.bias missing" : "pooler.dense.weight missing"]);

        var config = new TextTransformerConfig
        {
            VocabSize = words[0],
            Width = width,
            Layers = layers,
            Heads = heads,
            MlpWidth = mlp,
            MaxPositions = byName["embeddings.position_embeddings.weight"].Shape[0],
            TypeVocabSize = byName["embeddings.token_type_embeddings.weight"].Shape[0],
            LayerNormEps = eps,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new OnnxImportException(source, "the config read from the graph is inconsistent: " + e.Message, []); }
        return (config, weightPooler);
    }

    // Per query/key/value of each block: Add(bias, MatMul) -> Reshape(x, shape); the shape's last two
    // entries are the constants (heads, head width), either a constant vector or a Concat of constants.
    private static SortedDictionary<int, List<string>> ReadHeads(OnnxGraphIndex graph, int layers, int width)
    {
        var found = new SortedDictionary<int, List<string>>();
        for (int l = 0; l < layers; l++)
            foreach (string part in (string[])["query", "key", "value"])
            {
                string bias = $"encoder.layer.{l}.attention.self.{part}.bias";
                var add = graph.SingleConsumer(bias, "Add");
                var reshape = add is null ? null : graph.SingleConsumer(add.Output[0], "Reshape");
                if (reshape is null || reshape.Input.Count < 2) continue;
                long[]? shape = ShapeConstants(graph, reshape.Input[1]);
                if (shape is not { Length: >= 2 }) continue;
                long h = shape[^2], d = shape[^1];
                if (h == -1 && d > 0 && width % d == 0) h = width / d;
                if (h > 0 && h * d == width) Add(found, (int)h, bias);
            }
        return found;
    }

    private static long[]? ShapeConstants(OnnxGraphIndex graph, string shape)
    {
        if (graph.Constant(shape) is { } constant) return OnnxTensorData.Integers(constant);
        var concat = graph.Producer(shape);
        if (concat is not { OpType: "Concat" } || concat.Input.Count < 2) return null;
        var tail = new long[2];
        for (int i = 0; i < 2; i++)
        {
            var part = graph.Constant(concat.Input[concat.Input.Count - 2 + i]);
            if (part is null || OnnxTensorData.Integers(part) is not [long value]) return null;
            tail[i] = value;
        }
        return tail;
    }

    // Every "*.LayerNorm.weight": a LayerNormalization node's epsilon attribute, or, for the decomposed
    // form, Mul(Div(x − μ, Sqrt(Add(ReduceMean(Pow(x − μ, 2)), eps))), γ).
    private static SortedDictionary<float, List<string>> ReadEps(OnnxGraphIndex graph, IReadOnlyList<OnnxWeight> weights)
    {
        var found = new SortedDictionary<float, List<string>>();
        foreach (var w in weights.Where(w => w.Name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)))
        {
            float? eps = null;
            foreach (var (node, slot) in graph.Consumers(w.Initializer.Name))
            {
                if (node.OpType == "LayerNormalization" && slot == 1)
                    eps = node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f; // ONNX's default
                else if (node.OpType == "Mul" && graph.Producer(node.Input[1 - slot]) is { OpType: "Div" } div
                    && graph.Producer(div.Input[1]) is { OpType: "Sqrt" } sqrt
                    && graph.Producer(sqrt.Input[0]) is { OpType: "Add" } add)
                {
                    for (int i = 0; i < 2 && eps is null; i++)
                        if (graph.Producer(add.Input[1 - i]) is { OpType: "ReduceMean" } && graph.Constant(add.Input[i]) is { } c)
                            eps = OnnxTensorData.Scalar(c);
                }
            }
            if (eps is { } value) Add(found, value, w.Name);
            else Add(found, float.NaN, w.Name);
        }
        return found;
    }

    private static void Add<T>(SortedDictionary<T, List<string>> found, T key, string tensor) where T : notnull
    {
        if (!found.TryGetValue(key, out var list)) found[key] = list = [];
        list.Add(tensor);
    }

    private static T Single<T>(SortedDictionary<T, List<string>> found, string what, string source) where T : notnull
    {
        if (found.Count == 1 && found.Keys.First() is not float.NaN) return found.Keys.First();
        if (found.Count == 0) throw new OnnxImportException(source, $"{what} could not be read from the graph.", []);
        throw new OnnxImportException(source, $"{what} is ambiguous or unreadable; values by tensor:",
            [.. found.Select(p => $"{(p.Key is float.NaN ? "unreadable" : Convert.ToString(p.Key, CultureInfo.InvariantCulture))}: {string.Join(", ", p.Value.Take(6))}{(p.Value.Count > 6 ? $" (+{p.Value.Count - 6})" : "")}")]);
    }
}
