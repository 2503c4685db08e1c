// OnnxBertImporter: converts a BERT encoder exported to ONNX (Hugging Face BertModel through
// torch.onnx) into a safetensors checkpoint with Hugging Face names and its config in the metadata.
// Parsing uses OnnxSharp's classes generated from the official onnx.proto.
using Onnx;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Pretrained;

/// <summary>
/// ONNX → safetensors for BERT encoders. Parameters keep their initializer names where the exporter kept them;
/// Linear weights it renamed (numbered or "onnx::MatMul_*", stored [in, out]) are named "X.weight" from the graph
/// (initializer → MatMul → Add with "X.bias") or from node names ("/X/MatMul"), the two agreeing where both exist,
/// and written as [out, in]. Integer constants and "position_ids" are dropped. The <see cref="Models.TextTransformerConfig"/>
/// is read from the graph, never assumed.
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>Parses <paramref name="onnx"/> and maps it without writing anything.</summary>
    /// <exception cref="OnnxImportException">A tensor cannot be named, or the config cannot be read unambiguously.</exception>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static OnnxBertImport Inspect(ReadOnlySpan<byte> onnx, string source = "ONNX model") => Map(Parse(onnx, source), source).Import;

    /// <summary>
    /// Converts the ONNX model in <paramref name="onnxPath"/> to a safetensors file <paramref name="safetensorsPath"/>
    /// (float32, atomic write) holding every parameter under its Hugging Face name and the config as metadata
    /// (config.json's keys), plus <paramref name="metadata"/>.
    /// </summary>
    /// <exception cref="OnnxImportException">A tensor cannot be named, or the config cannot be read unambiguously; nothing is written.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxBertImport Convert(string onnxPath, string safetensorsPath, IReadOnlyDictionary<string, string>? metadata = null) =>
        Convert(File.ReadAllBytes(onnxPath), safetensorsPath, metadata, onnxPath);

    /// <summary>As <see cref="Convert(string, string, IReadOnlyDictionary{string, string}?)"/>, from the model's bytes; <paramref name="source"/> names it in errors.</summary>
    public static OnnxBertImport Convert(ReadOnlySpan<byte> onnx, string safetensorsPath, IReadOnlyDictionary<string, string>? metadata = null, string source = "ONNX model")
    {
        ArgumentException.ThrowIfNullOrEmpty(safetensorsPath);
        var (import, weights) = Map(Parse(onnx, source), source);
        var header = BertMetadata.Write(import.Config, import.HasPooler);
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (!header.TryAdd(key, value)) throw new ArgumentException($"Metadata key '{key}' is reserved for the config.", nameof(metadata));
        FileHeader.Stamp(header, FileHeader.Checkpoint);
        SafetensorsWriter.Write(safetensorsPath, weights.Select(w => (w.Name, ToTensor(w))), header);
        return import;
    }

    private static ModelProto Parse(ReadOnlySpan<byte> onnx, string source)
    {
        try
        {
            var model = ModelProto.Parser.ParseFrom(onnx);
            if (model.Graph is null || model.Graph.Initializer.Count == 0)
                throw new InvalidDataException($"{source}: not an ONNX model with initializers.");
            return model;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not a valid ONNX (protobuf) model: {e.Message}", e);
        }
    }

    private static (OnnxBertImport Import, List<OnnxWeight> Weights) Map(ModelProto model, string source)
    {
        var graph = new OnnxGraphIndex(model.Graph, source);
        var weights = OnnxWeightNames.Map(graph, source);
        var (config, hasPooler) = OnnxBertConfigReader.Read(graph, weights, source);
        var import = new OnnxBertImport(config, hasPooler,
            weights.ToDictionary(w => w.Name, w => w.Initializer.Name, StringComparer.Ordinal),
            [.. weights.Where(w => w.Transposed).Select(w => w.Name)]);
        return (import, weights);
    }

    // The initializer's values in PyTorch's layout: [in, out] MatMul operands transposed to [out, in].
    private static Tensor ToTensor(OnnxWeight weight)
    {
        float[] values = OnnxTensorData.Floats(weight.Initializer);
        if (values.Any(v => !float.IsFinite(v)))
            throw new OnnxImportException("ONNX model", "a parameter holds NaN or infinity.", [OnnxTensorData.Describe(weight.Initializer)]);
        int[] dims = OnnxTensorData.Shape(weight.Initializer);
        if (!weight.Transposed) return new Tensor(values, dims);
        int rows = dims[0], cols = dims[1];
        var result = new float[values.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[j * rows + i] = values[i * cols + j];
        return new Tensor(result, cols, rows);
    }
}
