// Pretrains the main job's vision base: a small CLIP-layout VisionTransformer (28×28 grey, patch 7 → 16 patches + class
// token, width 64, 4 blocks, projection 64) on Fashion-MNIST's 60,000 training images, a pool disjoint from the vision
// row's tasks (data/vision-tasks). The library's own training code does it: FineTuner in the non-linear regime, every
// parameter trainable (ParameterSelection.Full), AdamW with a cosine schedule, through a frozen cosine head whose class
// vectors are seeded Gaussians. Labels: the 10 garment classes, or with --rotations (the committed base) garment class ×
// 4 rotations (40 classes), which keeps orientation in the features and transfers better to the row's tasks (see
// data/pretrained/vit-fashion/README.md). Accuracy on Fashion-MNIST's 10,000 test images is reported and stored.
// Writes <out>/model.safetensors (config, settings and results in its metadata), <out>/model.safetensors.sha256 and
// <out>/pretraining.json. Seeded throughout: the same seed, GEMM provider and kernel give the same bytes.
// Usage: dotnet run -c Release tools/pretrain-vit/PretrainVit.cs -- <fashion-mnist dir> <out dir> [--steps N] [--seed S] [--rotations]
// (tools/pretrain-vit/pretrain.sh extracts Debian's dataset-fashion-mnist and runs this into data/pretrained/vit-fashion.)
#:property PublishAot=false
#:property InvariantGlobalization=true
#:project ../../src/TaskVectors/TaskVectors.csproj

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using TaskVectors.Blas;
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

string? fashionDir = null, outDir = null;
int steps = 4000;
ulong seed = 20261207;
bool rotations = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--") continue;
    if (args[i] == "--steps" && i + 1 < args.Length) steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--seed" && i + 1 < args.Length) seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--rotations") rotations = true;
    else if (fashionDir is null) fashionDir = args[i];
    else outDir = args[i];
}
if (fashionDir is null || outDir is null)
{
    Console.Error.WriteLine("usage: PretrainVit.cs <fashion-mnist dir> <out dir> [--steps N] [--seed S]");
    return 2;
}

var total = Stopwatch.StartNew();
var train = IdxFile.Load(Path.Combine(fashionDir, "train-images-idx3-ubyte.gz"), Path.Combine(fashionDir, "train-labels-idx1-ubyte.gz"));
var test = IdxFile.Load(Path.Combine(fashionDir, "t10k-images-idx3-ubyte.gz"), Path.Combine(fashionDir, "t10k-labels-idx1-ubyte.gz"));

var config = new VisionTransformerConfig
{
    ImageSize = 28, PatchSize = 7, Channels = 1, Width = 64, Layers = 4, Heads = 4, MlpWidth = 128, ProjectionDim = 64,
};
var model = new VisionTransformer(config);
var rng = new Rng(seed);
model.Initialize(rng);
ILabeledData<Tensor> pool = rotations ? new RotatedData(train) : train;
var classes = new Tensor(pool.Classes, config.ProjectionDim);
rng.FillNormal(classes.Span);
var head = new CosineHead("fashion_mnist", classes, logitScale: 30f);
var options = new FineTuneOptions
{
    Regime = Regime.NonLinear, Trainable = ParameterSelection.Full, Optimizer = OptimizerKind.AdamW,
    Steps = steps, BatchSize = 128, LearningRate = 2e-3, WeightDecay = 0.05, WarmupSteps = Math.Min(200, steps / 10),
    MaxGradientNorm = 1.0, Seed = seed,
};
Console.WriteLine($"Fashion-MNIST: train {train.Count}, test {test.Count}; ViT {config.Width}w×{config.Layers}, patch {config.PatchSize}, " +
    $"{model.Parameters.Sum(p => p.Value.Length):N0} parameters; {steps} steps of {options.BatchSize}, lr {options.LearningRate}, seed {seed}; GEMM: {Gemm.Description}");
double before = rotations ? Accuracy(model, head, new RotatedData(test), classDivisor: 4) : Accuracy(model, head, test);
var clock = Stopwatch.StartNew();
var tau = new FineTuner<Tensor>(model, head, options).Run(pool, new InlineProgress<FineTuneProgress>(p =>
{
    if (p.Step % 250 == 0 || p.Step == p.TotalSteps)
        Console.WriteLine($"  step {p.Step,5}/{p.TotalSteps}  loss {p.Loss:F4}  lr {p.LearningRate:E2}  {clock.Elapsed.TotalSeconds:F0} s");
}));
double trainSeconds = clock.Elapsed.TotalSeconds;
tau.AddTo(model);
double after = rotations ? Accuracy(model, head, new RotatedData(test), classDivisor: 4) : Accuracy(model, head, test);
Console.WriteLine($"test accuracy: random init {before:P2}, pretrained {after:P2}; training {trainSeconds:F0} s");

Directory.CreateDirectory(outDir);
string weights = Path.Combine(outDir, "model.safetensors");
var settings = new Dictionary<string, object>
{
    ["config"] = config,
    ["pool"] = "Fashion-MNIST (Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1), 60,000 training images",
    ["regime"] = "non-linear", ["trainable"] = options.Trainable.Name, ["optimizer"] = "AdamW",
    ["steps"] = steps, ["batch_size"] = options.BatchSize, ["learning_rate"] = options.LearningRate,
    ["weight_decay"] = options.WeightDecay, ["warmup_steps"] = options.WarmupSteps, ["max_gradient_norm"] = options.MaxGradientNorm!,
    ["objective"] = rotations ? "Fashion class × 4 rotations (40 classes); accuracy: class = argmax / 4 over the rotated test images" : "Fashion class (10 classes)",
    ["head"] = $"frozen cosine head, {pool.Classes} seeded N(0, 1) class vectors, logit scale 30", ["seed"] = seed,
    ["gemm"] = Gemm.Description,
    ["pool_test_accuracy"] = Math.Round(after, 4), ["pool_test_accuracy_random_init"] = Math.Round(before, 4),
    ["training_seconds"] = Math.Round(trainSeconds),
    ["command"] = $"tools/pretrain-vit/pretrain.sh --steps {steps} --seed {seed}{(rotations ? " --rotations" : "")}",
};
var compact = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
var indented = new JsonSerializerOptions(compact) { WriteIndented = true };
model.Save(weights, new Dictionary<string, string>
{
    ["vision_config"] = JsonSerializer.Serialize(config, compact),
    ["pretraining"] = JsonSerializer.Serialize(settings, compact),
});
string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights)));
File.WriteAllText(weights + ".sha256", $"{sha}  model.safetensors\n");
File.WriteAllText(Path.Combine(outDir, "pretraining.json"), JsonSerializer.Serialize(settings, indented) + "\n");
Console.WriteLine($"wrote {weights} ({new FileInfo(weights).Length:N0} bytes, SHA-256 {sha}) in {total.Elapsed.TotalSeconds:F0} s");
return 0;

// Test accuracy through the head: argmax of s·cos(f(x), class) over batches of 500.
static double Accuracy(VisionTransformer model, CosineHead head, ILabeledData<Tensor> data, int classDivisor = 1)
{
    const int batchSize = 500;
    var batch = data.CreateBatch(batchSize);
    var indices = new int[batchSize];
    int correct = 0;
    for (int start = 0; start < data.Count; start += batchSize)
    {
        for (int i = 0; i < batchSize; i++) indices[i] = start + i;
        data.Fill(batch, indices);
        var logits = head.Forward(model.Forward(batch)).Span;
        for (int i = 0; i < batchSize; i++)
        {
            var row = logits.Slice(i * head.Classes, head.Classes);
            int best = 0;
            for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
            if (best / classDivisor == data.Label(start + i) / classDivisor) correct++;
        }
    }
    return (double)correct / data.Count;
}

// Fashion class × rotation: example i is image i / 4 turned by (i mod 4)·90°, labelled 4·class + (i mod 4) (40 classes),
// so the embedding has to keep the orientation of strokes and edges, not only the garment.
sealed class RotatedData(ImageData source) : ILabeledData<Tensor>
{
    public int Count => 4 * source.Count;

    public int Classes => 4 * source.Classes;

    public string Description => $"{source.Description} × 4 rotations";

    public int Label(int index) => 4 * source.Label(index / 4) + index % 4;

    public Tensor CreateBatch(int size) => source.CreateBatch(size);

    public void Fill(Tensor batch, ReadOnlySpan<int> indices)
    {
        const int side = 28, pixels = side * side;
        var sourceIndices = new int[indices.Length];
        for (int n = 0; n < indices.Length; n++) sourceIndices[n] = indices[n] / 4;
        source.Fill(batch, sourceIndices);
        var span = batch.Span;
        var copy = new float[pixels];
        for (int n = 0; n < indices.Length; n++)
        {
            var image = span.Slice(n * pixels, pixels);
            image.CopyTo(copy);
            int turn = indices[n] % 4;
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    image[y * side + x] = turn switch
                    {
                        0 => copy[y * side + x],
                        1 => copy[(side - 1 - x) * side + y],
                        2 => copy[(side - 1 - y) * side + side - 1 - x],
                        _ => copy[x * side + side - 1 - y],
                    };
        }
    }
}
