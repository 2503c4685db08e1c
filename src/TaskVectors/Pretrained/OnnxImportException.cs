// OnnxImportException: an ONNX graph could not be mapped onto Hugging Face BERT names and a config
// without guessing. Lists every tensor at fault so one run shows all that is wrong.
namespace TaskVectors.Pretrained;

/// <summary>
/// Thrown by <see cref="OnnxBertImporter"/> when a tensor cannot be named, a layout or a hyper-parameter is
/// ambiguous, or the graph is not a BERT encoder the library can run. No output file is written.
/// </summary>
public sealed class OnnxImportException : IOException
{
    /// <summary>Creates the exception: <paramref name="problem"/>, then one line per entry of <paramref name="tensors"/>.</summary>
    public OnnxImportException(string source, string problem, IReadOnlyList<string> tensors)
        : base($"{source}: {problem}" + (tensors.Count == 0 ? "" : Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", tensors)))
    {
        ModelSource = source;
        Problem = problem;
        Tensors = tensors;
    }

    /// <summary>The ONNX file (or a description of the stream) being imported.</summary>
    public string ModelSource { get; }

    /// <summary>What is wrong, without the list.</summary>
    public string Problem { get; }

    /// <summary>The tensors (or nodes) at fault, one description each.</summary>
    public IReadOnlyList<string> Tensors { get; }
}
