// TAK on the real all-MiniLM-L6-v2 base: KFAC factors of one task's sentences (padding out of the
// sums: with one ā per real token scaled by 1/R, the bias corner of every A is exactly N), then
// linearized fine-tuning of another task with and without the TAK penalty built from them; the
// penalty must reduce the drift ‖J_u τ‖² of the first task's embeddings.
using TaskVectors.Curvature;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Tensors;
using TaskVectors.Training;
using Xunit.Abstractions;

namespace TaskVectors.Tests.Pretrained;

public sealed class MiniLmTakTests(ITestOutputHelper output)
{
    private static readonly (string, int)[] Animals =
    [
        ("The cat sleeps on the warm windowsill.", 0), ("A dog barked at the mail carrier all morning.", 0), ("Horses graze in the field.", 0),
        ("The parrot repeated every word it heard, to everyone's amusement.", 0), ("Fresh bread is cooling on the rack.", 1),
        ("She ordered a bowl of spicy noodle soup.", 1), ("Apples and pears.", 1), ("The chef seasoned the roast with rosemary and garlic.", 1),
    ];

    private static readonly (string, int)[] Weather =
    [
        ("Heavy rain is expected tonight.", 0), ("Thunderstorms rolled across the valley after midnight.", 0), ("It snowed.", 0),
        ("A cold front will bring showers to the coast.", 0), ("The stock market closed higher today.", 1), ("Interest rates were left unchanged by the central bank.", 1),
        ("Shares fell.", 1), ("Investors sold technology stocks ahead of the earnings reports.", 1),
    ];

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void LinearizedFineTune_MiniLmWithTak_KeepsTheOtherTasksEmbeddingsCloser()
    {
        var minilm = PretrainedTestFiles.Get(PretrainedBases.AllMiniLmL6V2);
        var tokenizer = PretrainedTestFiles.Tokenizer(minilm);
        var model = minilm.CreateModel();
        var weather = new SentenceData(tokenizer, Weather, 2);
        var animals = new SentenceData(tokenizer, Animals, 2);

        var kfac = new KfacOptions { BatchSize = 4, Seed = 3 };
        var weatherFactors = KfacEstimator.Estimate(model, weather, kfac);
        var animalFactors = KfacEstimator.Estimate(model, animals, kfac);
        weatherFactors.Blocks.Count.ShouldBe(6 * 4, "fused q+k+v, attention output, intermediate, output per block; the pooler is unused under mean pooling");
        weatherFactors.DenseBlocks.Count.ShouldBe(2 * 13, "γ and β of 13 LayerNorms");
        weatherFactors.Count.ShouldBe(Weather.Length);
        foreach (var block in weatherFactors.Blocks)
        {
            int a = block.Spec.ADim;
            block.A[a * a - 1].ShouldBe(Weather.Length, 1e-5, $"{block.Name}: Σ_n (1/R_n) Σ_(real r) 1·1 = N (float32 sums per batch); padding would add R_pad/R_n per sentence");
            block.A.All(double.IsFinite).ShouldBeTrue(block.Name);
            block.G.All(double.IsFinite).ShouldBeTrue(block.Name);
        }

        var aggregate = new FactorAggregate();
        aggregate.Add("weather", weatherFactors);
        aggregate.Add("animals", animalFactors);
        var others = aggregate.AllBut("animals", animalFactors);

        var head = new CosineHead("head", TestTensors.Normal(5, 2, model.EmbeddingDim), logitScale: 20f);
        var options = new FineTuneOptions
        {
            Regime = Regime.Linearized, Steps = 4, BatchSize = 4, WarmupSteps = 0, LearningRate = 1e-4, WeightDecay = 0, Seed = 7,
        };
        var plain = new FineTuner<TextBatch>(model, head, options).Run(animals);
        var tak = new FineTuner<TextBatch>(model, head, options with { Regularizers = [new TakRegularizer(others, new TakOptions { Beta = 1e4 })] }).Run(animals);

        double plainDrift = Drift(model, weather, plain), takDrift = Drift(model, weather, tak);
        output.WriteLine($"drift ‖J_weather τ‖²: {takDrift:E3} with TAK, {plainDrift:E3} without (ratio {takDrift / plainDrift:F4})");
        plainDrift.ShouldBeGreaterThan(0);
        double.IsFinite(takDrift).ShouldBeTrue();
        takDrift.ShouldBeLessThan(0.5 * plainDrift, $"‖J_weather τ‖²: {takDrift:E3} with TAK, {plainDrift:E3} without");
    }

    // Σ over the task's sentences of ‖J(x; θ0)·τ‖²: how far the linearized embeddings move.
    private static double Drift(TextTransformer model, SentenceData data, TaskVector tau)
    {
        foreach (var p in model.Parameters) p.Tangent = tau.Tensors.GetValueOrDefault(p.Name);
        var batch = data.CreateBatch(data.Count);
        data.Fill(batch, [.. Enumerable.Range(0, data.Count)]);
        var tangent = model.Jvp(batch).Tangent;
        foreach (var p in model.Parameters) p.Tangent = null;
        double sum = 0;
        foreach (float v in tangent.Span) sum += (double)v * v;
        return sum;
    }
}
