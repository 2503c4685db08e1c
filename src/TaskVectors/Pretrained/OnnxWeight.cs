// OnnxWeight: one float initializer of an ONNX graph with the Hugging Face name it maps to and whether
// it is stored transposed ([in, out], as MatMul reads it) relative to PyTorch's Linear layout [out, in].
using Onnx;

namespace TaskVectors.Pretrained;

/// <summary>A parameter found in the graph: <see cref="Name"/> (Hugging Face), its initializer, its layout.</summary>
internal sealed record OnnxWeight(string Name, TensorProto Initializer, bool Transposed)
{
    /// <summary>The shape under <see cref="Name"/>: the initializer's dims, swapped when <see cref="Transposed"/>.</summary>
    public int[] Shape
    {
        get
        {
            int[] dims = OnnxTensorData.Shape(Initializer);
            return Transposed ? [dims[1], dims[0]] : dims;
        }
    }
}
