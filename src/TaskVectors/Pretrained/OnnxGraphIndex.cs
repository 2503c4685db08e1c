// OnnxGraphIndex: lookups over one ONNX graph: initializers and Constant-node values by name, the node
// producing each value and the (node, input slot) pairs consuming it.
using Onnx;

namespace TaskVectors.Pretrained;

/// <summary>Read-only indexes of a <see cref="GraphProto"/>, built once.</summary>
internal sealed class OnnxGraphIndex
{
    private static readonly IReadOnlyList<(NodeProto Node, int Slot)> NoConsumers = [];
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(NodeProto Node, int Slot)>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);

    public OnnxGraphIndex(GraphProto graph, string source)
    {
        Graph = graph;
        var duplicates = new List<string>();
        foreach (var t in graph.Initializer)
            if (!Initializers.TryAdd(t.Name, t)) duplicates.Add(t.Name);
        if (duplicates.Count > 0) throw new OnnxImportException(source, "initializer names appear twice.", duplicates);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) _producers[output] = node;
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i].Length == 0) continue; // an omitted optional input
                if (!_consumers.TryGetValue(node.Input[i], out var list)) _consumers[node.Input[i]] = list = [];
                list.Add((node, i));
            }
            if (node.OpType == "Constant" && node.Output.Count == 1 && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { } value })
                _constants[node.Output[0]] = value;
        }
    }

    public GraphProto Graph { get; }

    /// <summary>Initializers by name.</summary>
    public Dictionary<string, TensorProto> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>The nodes reading <paramref name="value"/>, with the input slot it occupies.</summary>
    public IReadOnlyList<(NodeProto Node, int Slot)> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : NoConsumers;

    /// <summary>The node computing <paramref name="value"/>, or null for graph inputs and initializers.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>The tensor behind <paramref name="value"/> when it is an initializer or a Constant node's output.</summary>
    public TensorProto? Constant(string value) =>
        Initializers.TryGetValue(value, out var t) ? t : _constants.GetValueOrDefault(value);

    /// <summary>The single consumer of <paramref name="value"/> with operator <paramref name="opType"/>, or null when none or several.</summary>
    public NodeProto? SingleConsumer(string value, string opType)
    {
        NodeProto? found = null;
        foreach (var (node, _) in Consumers(value))
        {
            if (node.OpType != opType) continue;
            if (found is not null) return null;
            found = node;
        }
        return found;
    }
}
