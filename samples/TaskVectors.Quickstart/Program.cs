// Quickstart: shows the engine's GEMM provider and a product checked against the naive reference.
using TaskVectors.Blas;
using TaskVectors.Tensors;

var rng = new Rng(42);
var a = new Tensor(64, 96);
var b = new Tensor(96, 32);
rng.FillNormal(a.Span);
rng.FillNormal(b.Span);
var c = new Tensor(64, 32);
var reference = new Tensor(64, 32);
Gemm.Default.Sgemm(Transpose.None, Transpose.None, 64, 32, 96, 1f, a.Span, 96, b.Span, 32, 0f, c.Span, 32);
ReferenceGemm.Instance.Sgemm(Transpose.None, Transpose.None, 64, 32, 96, 1f, a.Span, 96, b.Span, 32, 0f, reference.Span, 32);
float maxDiff = 0;
for (int i = 0; i < c.Length; i++) maxDiff = MathF.Max(maxDiff, MathF.Abs(c[i] - reference[i]));
Console.WriteLine($"GEMM provider: {Gemm.Default.Name}; 64×96·96×32 max |diff| vs reference = {maxDiff:E2}");
