// ActivationDriver: applies an ActivationKernels function to a whole tensor, x (n) -> y (n) or
// g (n) -> g·f'(x) (n), in fixed chunks spread over ParallelLoop. Chunks are a multiple of the vector
// width, so every element takes the same code path as in one serial call: results never depend on
// the thread count.
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Layers.Kernels;

/// <summary>Chunked, parallel driver of the activation kernels; allocation-free.</summary>
internal static class ActivationDriver
{
    /// <summary>Elements per parallel chunk: large enough to amortize a hand-off, a multiple of 8.</summary>
    internal const int ChunkLength = 16384;

    /// <summary>y = f(x) element-wise; <paramref name="y"/> has x's length.</summary>
    public static void Forward(ActivationFunction function, Tensor x, Tensor y) =>
        ParallelLoop.For(Chunks(x.Length), new ForwardBody(function, x, y));

    /// <summary>destination = g·f'(x) element-wise; all three have x's length.</summary>
    public static void Derivative(ActivationFunction function, Tensor x, Tensor g, Tensor destination) =>
        ParallelLoop.For(Chunks(x.Length), new DerivativeBody(function, x, g, destination));

    private static int Chunks(int length) => (length + ChunkLength - 1) / ChunkLength;

    private readonly struct ForwardBody(ActivationFunction function, Tensor x, Tensor y) : ILoopBody
    {
        public void Invoke(int index)
        {
            int start = index * ChunkLength, count = Math.Min(ChunkLength, x.Length - start);
            var xs = x.Span.Slice(start, count);
            var ys = y.Span.Slice(start, count);
            switch (function)
            {
                case ActivationFunction.GeluErf: ActivationKernels.GeluErf(xs, ys); break;
                case ActivationFunction.GeluTanh: ActivationKernels.GeluTanh(xs, ys); break;
                default: ActivationKernels.QuickGelu(xs, ys); break;
            }
        }
    }

    private readonly struct DerivativeBody(ActivationFunction function, Tensor x, Tensor g, Tensor destination) : ILoopBody
    {
        public void Invoke(int index)
        {
            int start = index * ChunkLength, count = Math.Min(ChunkLength, x.Length - start);
            var xs = x.Span.Slice(start, count);
            var gs = g.Span.Slice(start, count);
            var ds = destination.Span.Slice(start, count);
            switch (function)
            {
                case ActivationFunction.GeluErf: ActivationKernels.GeluErfDerivative(xs, gs, ds); break;
                case ActivationFunction.GeluTanh: ActivationKernels.GeluTanhDerivative(xs, gs, ds); break;
                default: ActivationKernels.QuickGeluDerivative(xs, gs, ds); break;
            }
        }
    }
}
