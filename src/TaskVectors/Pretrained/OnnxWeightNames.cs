// OnnxWeightNames: maps an ONNX graph's float initializers to Hugging Face parameter names. Named
// initializers keep their names; ones an exporter renamed ("927", "onnx::MatMul_788") are recovered
// from the graph (initializer -> MatMul -> Add with "X.bias" gives "X.weight") and from node names
// ("/encoder/layer.0/attention/self/query/MatMul"); both routes must agree. Integer constants,
// one-element float constants and position_ids buffers are dropped. Layout follows the consumer: MatMul's B (and Gemm's B without
// transB) is [in, out] and gets transposed to PyTorch's [out, in].
using System.Text.RegularExpressions;
using Onnx;

namespace TaskVectors.Pretrained;

/// <summary>Recovers the names and layouts of a graph's parameters.</summary>
internal static partial class OnnxWeightNames
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*\.(weight|bias)$")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"^/(?<path>[A-Za-z0-9_./]+)/(MatMul|Gemm)$")]
    private static partial Regex LinearNodeName();

    /// <summary>Every float parameter with its Hugging Face name, in initializer order.</summary>
    /// <exception cref="OnnxImportException">A tensor cannot be named, two routes disagree, two tensors get one name, or a layout is ambiguous.</exception>
    public static List<OnnxWeight> Map(OnnxGraphIndex graph, string source)
    {
        var weights = new List<OnnxWeight>();
        var unmapped = new List<string>();
        var conflicts = new List<string>();
        foreach (var tensor in graph.Graph.Initializer)
        {
            if (tensor.DataType != OnnxTensorData.Float) continue; // shape constants, position_ids (int64)
            if (tensor.Name.EndsWith(".position_ids", StringComparison.Ordinal)) continue;
            // A one-element float without a parameter's name is a graph constant (eps, √d, 0.5), not a weight.
            if (OnnxTensorData.Count(tensor) == 1 && !ParameterName().IsMatch(tensor.Name)) continue;
            bool? transposed = Layout(graph, tensor, conflicts);
            if (transposed is null) continue;
            string? name = ParameterName().IsMatch(tensor.Name) ? tensor.Name : Recover(graph, tensor, conflicts, unmapped);
            if (name is not null) weights.Add(new OnnxWeight(name, tensor, transposed.Value));
        }
        foreach (var group in weights.GroupBy(w => w.Name).Where(g => g.Count() > 1))
            conflicts.Add($"{group.Key} <- {string.Join(", ", group.Select(w => w.Initializer.Name))}");
        if (conflicts.Count > 0) throw new OnnxImportException(source, "tensors whose name or layout is ambiguous.", conflicts);
        if (unmapped.Count > 0)
            throw new OnnxImportException(source, "float tensors with no Hugging Face name (neither a MatMul -> Add with a named '.bias' nor a '/path/MatMul' node leads to one).", unmapped);
        foreach (var w in weights)
            if (w.Name.EndsWith(".weight", StringComparison.Ordinal) && weights.FirstOrDefault(b => b.Name == w.Name[..^"weight".Length] + "bias") is { } bias
                && w.Shape.Length == 2 && !(bias.Shape is [int n] && n == w.Shape[0]))
                conflicts.Add($"{w.Name} [{string.Join(", ", w.Shape)}] (from {w.Initializer.Name}) does not match {bias.Name} [{string.Join(", ", bias.Shape)}]");
        if (conflicts.Count > 0) throw new OnnxImportException(source, "Linear weights whose output width differs from their bias.", conflicts);
        return weights;
    }

    // True when the consumers read the tensor as [in, out]; null (with a conflict) when they disagree.
    private static bool? Layout(OnnxGraphIndex graph, TensorProto tensor, List<string> conflicts)
    {
        var layouts = new HashSet<bool>();
        foreach (var (node, slot) in graph.Consumers(tensor.Name))
        {
            if (node.OpType == "MatMul" && slot == 1) layouts.Add(true);
            else if (node.OpType == "Gemm" && slot == 1) layouts.Add(IntAttribute(node, "transB") != 1);
            else layouts.Add(false);
        }
        if (layouts.Count > 1)
        {
            conflicts.Add($"{OnnxTensorData.Describe(tensor)}: read both as a MatMul/Gemm right operand and otherwise");
            return null;
        }
        bool transposed = layouts.Count == 1 && layouts.First();
        if (transposed && tensor.Dims.Count != 2)
        {
            conflicts.Add($"{OnnxTensorData.Describe(tensor)}: a MatMul right operand that is not a matrix");
            return null;
        }
        return transposed;
    }

    // The name "X.weight" from the graph route and/or the node-name route; null (with the problem recorded) otherwise.
    private static string? Recover(OnnxGraphIndex graph, TensorProto tensor, List<string> conflicts, List<string> unmapped)
    {
        var consumers = graph.Consumers(tensor.Name);
        if (consumers.Count != 1 || consumers[0].Slot != 1 || consumers[0].Node.OpType is not ("MatMul" or "Gemm"))
        {
            unmapped.Add($"{OnnxTensorData.Describe(tensor)}: read by {(consumers.Count == 0 ? "no node" : string.Join(", ", consumers.Select(c => $"{c.Node.OpType} '{c.Node.Name}' input {c.Slot}")))}");
            return null;
        }
        var linear = consumers[0].Node;
        string? fromGraph = linear.OpType == "Gemm" ? BiasWeightName(graph, linear.Input.Count > 2 ? linear.Input[2] : null) : FromAdd(graph, linear);
        var match = LinearNodeName().Match(linear.Name);
        string? fromNode = match.Success ? match.Groups["path"].Value.Replace('/', '.') + ".weight" : null;
        if (fromGraph is not null && fromNode is not null && fromGraph != fromNode)
        {
            conflicts.Add($"{OnnxTensorData.Describe(tensor)}: the graph says {fromGraph}, node '{linear.Name}' says {fromNode}");
            return null;
        }
        string? name = fromGraph ?? fromNode;
        if (name is null) unmapped.Add($"{OnnxTensorData.Describe(tensor)}: read by {linear.OpType} '{linear.Name}', whose output reaches no named bias");
        return name;
    }

    // MatMul -> the one Add reading its output, whose other operand is an initializer "X.bias".
    private static string? FromAdd(OnnxGraphIndex graph, NodeProto matMul)
    {
        var consumers = graph.Consumers(matMul.Output[0]);
        if (consumers.Count != 1 || consumers[0].Node.OpType != "Add") return null;
        var add = consumers[0].Node;
        return BiasWeightName(graph, add.Input[1 - consumers[0].Slot]);
    }

    private static string? BiasWeightName(OnnxGraphIndex graph, string? bias) =>
        bias is not null && bias.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(bias)
            ? bias[..^"bias".Length] + "weight"
            : null;

    /// <summary>The integer attribute <paramref name="name"/> of <paramref name="node"/>, or 0 when absent (ONNX's default for transA/transB).</summary>
    public static long IntAttribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;
}
