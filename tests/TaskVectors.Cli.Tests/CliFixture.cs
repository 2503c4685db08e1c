// CliFixture: files the bad-input and merge tests share, made once through the tool: two tiny ViT bases A and B (different
// seeds), a factor file and a short fine-tune (task vector + head) of digits 0/1 on A, and a factor file on B.
namespace TaskVectors.Cli.Tests;

public sealed class CliFixture : IAsyncLifetime
{
    public string Folder { get; } = TestData.NewFolder("fixture");
    public string BaseA => Path.Combine(Folder, "a-base.safetensors");
    public string BaseB => Path.Combine(Folder, "b-base.safetensors");
    public string FactorsA => Path.Combine(Folder, "t01.kfac.safetensors");
    public string FactorsB => Path.Combine(Folder, "b.kfac.safetensors");
    public string TauA => Path.Combine(Folder, "t01.tau.safetensors");
    public string TauA2 => Path.Combine(Folder, "t23.tau.safetensors");
    public string HeadA => Path.Combine(Folder, "t01.head.safetensors");
    public string TauNonLinear => Path.Combine(Folder, "t45.tau.safetensors");

    public static readonly string[] TinyVit = ["--width", "16", "--layers", "1", "--heads", "2", "--mlp-width", "32", "--projection-dim", "8"];

    public async Task InitializeAsync()
    {
        await CliRun.Ok(["init", "--out", BaseA, "--seed", "1", .. TinyVit]);
        await CliRun.Ok(["init", "--out", BaseB, "--seed", "2", .. TinyVit]);
        await CliRun.Ok("kfac", "--base", BaseA, "--data", TestData.Digits, "--classes", "0,1", "--split", "train", "--out", FactorsA);
        await CliRun.Ok("kfac", "--base", BaseB, "--data", TestData.Digits, "--classes", "0,1", "--split", "train", "--out", FactorsB);
        await CliRun.Ok("finetune", "--base", BaseA, "--data", TestData.Digits, "--classes", "0,1", "--split", "train", "--steps", "20", "--batch-size", "16",
            "--lr", "1e-2", "--warmup", "2", "--out", TauA);
        await CliRun.Ok("finetune", "--base", BaseA, "--data", TestData.Digits, "--classes", "2,3", "--split", "train", "--steps", "20", "--batch-size", "16",
            "--lr", "1e-2", "--warmup", "2", "--regime", "Linearized", "--out", TauA2);
        await CliRun.Ok("finetune", "--base", BaseA, "--data", TestData.Digits, "--classes", "4,5", "--split", "train", "--steps", "5", "--batch-size", "16",
            "--lr", "1e-3", "--warmup", "1", "--regime", "NonLinear", "--out", TauNonLinear);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
