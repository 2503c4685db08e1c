// BenchmarkRow: the record keeps what it is given (the row contract the text and vision rows fill).
using TaskVectors.Building;
using TaskVectors.MainJob;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.MainJob.Tests;

public sealed class BenchmarkRowTests
{
    [Fact]
    public void Constructor_ValuesGiven_KeepsThem()
    {
        var model = new Mlp(4, [3], 2);
        model.Initialize(new Rng(0));
        var options = new FineTuneOptions { Steps = 5 };
        var row = new BenchmarkRow<Tensor>("tiny", model, [], options);
        row.Name.ShouldBe("tiny");
        row.Base.ShouldBeSameAs(model);
        row.Tasks.Count.ShouldBe(0);
        row.FineTuneDefaults.Steps.ShouldBe(5);
    }
}
