// Tests of PrefetchedData: the FineTuner fed through the read-ahead gives the same task vector bit for bit as
// fed directly, with every batch served from the read-ahead; a request off the predicted order falls back.
using TaskVectors.Models;
using TaskVectors.Data;
using TaskVectors.Tensors;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Data;

public sealed class PrefetchedDataTests
{
    [Fact]
    public void FineTune_ThroughReadAhead_SameTaskVectorAllBatchesPrefetched()
    {
        var options = new FineTuneOptions { Regime = Regime.NonLinear, Steps = 5, BatchSize = 8, WarmupSteps = 1, LearningRate = 1e-2, Seed = 9 };
        var data = FineTuneFixture.Data(count: 20);
        var direct = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(data);
        using var prefetched = PrefetchedData.Images(data, options.BatchSize, options.Seed);
        var ahead = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), options).Run(prefetched);
        prefetched.Hits.ShouldBe(5);
        prefetched.Misses.ShouldBe(0);
        foreach (var (name, tensor) in direct.Tensors)
            ahead.Tensors[name].Span.ToArray().ShouldBe(tensor.Span.ToArray(), name);
    }

    [Fact]
    public void Fill_OffTheSeededOrder_FallsBackToDirectFill()
    {
        var data = FineTuneFixture.Data(count: 12);
        using var prefetched = PrefetchedData.Images(data, batchSize: 4, seed: 3);
        var batch = prefetched.CreateBatch(4);
        prefetched.Fill(batch, [0, 1, 2, 3]);
        var expected = data.CreateBatch(4);
        data.Fill(expected, [0, 1, 2, 3]);
        batch.Span.ToArray().ShouldBe(expected.Span.ToArray());
        prefetched.Misses.ShouldBe(1);
        prefetched.Hits.ShouldBe(0);
    }
}
