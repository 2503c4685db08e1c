// TextRow: MiniLM and the six committed text tasks: every head is θ0's normalized embedding of its class prompt
// (checked one prompt at a time, unpadded, normalized in double), pairs carry token types, caps are honoured.
using System.Text.Json;
using TaskVectors.Data;
using TaskVectors.MainJob.Text;
using TaskVectors.Pretrained;

namespace TaskVectors.MainJob.Tests.Text;

public sealed class TextRowTests
{
    [Fact]
    public void Load_QuickOptions_HeadsAreNormalizedPromptEmbeddings()
    {
        string data = FindData();
        var options = TextRowOptions.Quick with { MaxTrain = 16 };
        var row = TextRow.Load(data, options);

        using var list = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "text-tasks", TextRow.TasksFile)));
        var specs = list.RootElement.EnumerateArray().ToList();
        row.Tasks.Select(t => t.Name).ShouldBe(specs.Select(s => s.GetProperty("name").GetString()));
        var tokenizer = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2).CreateTokenizer();
        for (int t = 0; t < row.Tasks.Count; t++)
        {
            var task = row.Tasks[t];
            task.Train.Count.ShouldBe(16);
            task.Validation!.Count.ShouldBe(options.MaxValidation);
            task.Test!.Count.ShouldBe(options.MaxTest);
            ((TextData)task.Test).SequenceLength.ShouldBeLessThanOrEqualTo(options.MaxLength);
            var prompts = specs[t].GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToList();
            task.Head.Classes.ShouldBe(prompts.Count);
            var heads = task.Head.Weight.Value.Span;
            for (int c = 0; c < prompts.Count; c++)
            {
                var f = row.Base.Forward(tokenizer.EncodeBatch([prompts[c]], null, options.MaxLength)).Span;
                double norm = Math.Sqrt(f.ToArray().Sum(v => (double)v * v));
                double maxError = 0;
                for (int j = 0; j < f.Length; j++) maxError = Math.Max(maxError, Math.Abs(heads[c * f.Length + j] - f[j] / norm));
                maxError.ShouldBeLessThan(1e-5, $"task {task.Name}, prompt '{prompts[c]}'");
            }
        }
        var pairs = (TextData)row.Tasks.Single(t => t.Name == "wordnet-entailment").Test!;
        var batch = pairs.CreateBatch(1);
        pairs.Fill(batch, [0]);
        batch.TokenTypeIds.ShouldContain(1);
    }

    [Fact]
    public void Load_MissingFolder_ThrowsFileNotFound() =>
        Should.Throw<FileNotFoundException>(() => TextRow.Load(Path.Combine(Path.GetTempPath(), "no-such-main-job-data")));

    [Fact]
    public void Strided_Cap_KeepsEvenlySpacedItems() =>
        TextRow.Strided(Enumerable.Range(0, 10).ToList(), 4).ShouldBe([0, 2, 5, 7]);

    internal static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "data", "text-tasks"))) return Path.Combine(dir.FullName, "data");
        throw new DirectoryNotFoundException("data/text-tasks not found above the test assembly.");
    }
}
