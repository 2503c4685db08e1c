// A consumer of the TaskVectors package: uses the engine and proves the bundled generator ran.
using TaskVectors.Blas;
using TaskVectors.Tensors;

var rng = new Rng(1);
var a = new Tensor(3, 4);
var b = new Tensor(4, 2);
rng.FillNormal(a.Span);
rng.FillNormal(b.Span);
var c = new Tensor(3, 2);
Gemm.Default.Sgemm(Transpose.None, Transpose.None, 3, 2, 4, 1f, a.Span, 4, b.Span, 2, 0f, c.Span, 2);
double expected = 0;
for (int p = 0; p < 4; p++) expected += a[0, p] * b[p, 0];
if (Math.Abs(c[0, 0] - expected) > 1e-5) throw new InvalidOperationException("GEMM result is wrong.");
Console.WriteLine($"consumer ok: gemm={Gemm.Default.Name} generator={TaskVectors.Generated.GeneratorInfo.Version}");
