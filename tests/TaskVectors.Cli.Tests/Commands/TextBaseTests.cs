// TextBaseTests: the text path on a real pretrained base: import all-MiniLM-L6-v2 from the catalogue into a base file
// with its vocabulary beside it, fine-tune a real text task (SpamAssassin spam vs ham, JSONL with label names) through a
// zero-shot head made from class prompts, and evaluate the task vector — every file of the right kind and base.
namespace TaskVectors.Cli.Tests.Commands;

public sealed class TextBaseTests : IDisposable
{
    private readonly string _folder = TestData.NewFolder("text");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [MiniLmFact]
    public async Task Catalogue_ImportFineTuneEval_ZeroShotHeadFromPrompts()
    {
        string baseFile = Path.Combine(_folder, "minilm", "base.safetensors");
        var import = (await CliRun.Ok("import", "all-MiniLM-L6-v2", "--out", baseFile, "--json")).Json();
        string fingerprint = import.GetProperty("fingerprint").GetString()!;
        File.Exists(Path.Combine(_folder, "minilm", "vocab.txt")).ShouldBeTrue();
        string spam = Path.Combine(TestData.RepositoryRoot, "data", "text-tasks", "spam");
        string prompts = Path.Combine(_folder, "prompts.txt");
        File.WriteAllLines(prompts, ["a normal personal or work email", "an unsolicited advertising spam email"]);
        string[] text = ["--label-names", "ham,spam", "--max-length", "24"];
        string tau = Path.Combine(_folder, "spam.tau.safetensors");
        var fineTune = (await CliRun.Ok(["finetune", "--base", baseFile, "--data", Path.Combine(spam, "train.jsonl"), .. text, "--max-examples", "16",
            "--head-init", "Prompts", "--prompts", prompts, "--steps", "1", "--batch-size", "8", "--warmup", "0", "--lr", "1e-4", "--out", tau, "--json"])).Json();
        fineTune.GetProperty("baseFingerprint").GetString().ShouldBe(fingerprint);
        fineTune.GetProperty("headInit").GetString().ShouldBe("prompts");
        var head = (await CliRun.Ok("inspect", fineTune.GetProperty("head").GetString()!, "--json")).Json();
        head.GetProperty("kind").GetString().ShouldBe("head");
        head.GetProperty("tensors")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ShouldBe([2, 384]);
        var eval = (await CliRun.Ok(["eval", "--base", baseFile, "--task-vector", tau, "--head", fineTune.GetProperty("head").GetString()!,
            "--data", Path.Combine(spam, "test.jsonl"), .. text, "--max-examples", "24", "--json"])).Json();
        eval.GetProperty("examples").GetInt32().ShouldBe(24);
        eval.GetProperty("classes").GetInt32().ShouldBe(2);
        eval.GetProperty("accuracy").GetDouble().ShouldBeInRange(0.0, 1.0);
    }
}
