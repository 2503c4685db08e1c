// A consumer of the TaskVectors package: uses the engine through its public API only (a Linear layer's
// forward pass runs through the process-wide GEMM) and proves the bundled generator ran.
using TaskVectors.Blas;
using TaskVectors.Layers;
using TaskVectors.Tensors;

var rng = new Rng(1);
var layer = new Linear("probe", inFeatures: 4, outFeatures: 2, bias: false);
var x = new Tensor(3, 4);
rng.FillNormal(x.Span);
rng.FillNormal(layer.Weight.Value.Span);
var y = layer.Forward(x);
// y = x · Wᵀ: check one entry against a hand-written dot product.
double expected = 0;
for (int p = 0; p < 4; p++) expected += x[0, p] * layer.Weight.Value[0, p];
if (Math.Abs(y[0, 0] - expected) > 1e-5) throw new InvalidOperationException("GEMM result is wrong.");
Console.WriteLine($"consumer ok: gemm={Gemm.Name} generator={TaskVectors.Generated.GeneratorInfo.Version}");
