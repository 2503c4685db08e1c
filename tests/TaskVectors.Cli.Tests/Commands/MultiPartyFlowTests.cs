// MultiPartyFlowTests: the paper's dataless setting through the tool. Three parties, each in its own folder with its
// own task (digit pairs of UCI optdigits), share the public base. Each runs kfac on its own data and sends only the
// factor file; each fine-tunes against the other two parties' factor files (TAK) and sends only its task vector and
// head; a coordinator merges the three task vectors and sends the merged checkpoint back; each party evaluates it on
// its own test split.

namespace TaskVectors.Cli.Tests.Commands;

public sealed class MultiPartyFlowTests : IDisposable
{
    private readonly string _root = TestData.NewFolder("parties");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ThreeParties_ExchangeOnlyFactorAndTaskVectorFiles_MergedAccuracyAboveChance()
    {
        string coordinator = Folder("coordinator");
        string baseFile = Path.Combine(coordinator, "base.safetensors");
        var init = (await CliRun.Ok("init", "--out", baseFile, "--width", "32", "--layers", "1", "--heads", "2", "--mlp-width", "64", "--projection-dim", "16", "--json")).Json();
        string fingerprint = init.GetProperty("fingerprint").GetString()!;
        (string Name, string Classes)[] tasks = [("p01", "0,1"), ("p23", "2,3"), ("p45", "4,5")];
        var folders = tasks.Select(t => Folder(t.Name)).ToArray();
        foreach (string folder in folders)
        {
            File.Copy(baseFile, Path.Combine(folder, "base.safetensors"));   // the base is public
            File.Copy(TestData.Digits, Path.Combine(folder, "digits.csv.gz"));   // each party's own data (its task picks its classes)
        }
        string[] Data(int t, string split) => ["--data", Path.Combine(folders[t], "digits.csv.gz"), "--classes", tasks[t].Classes, "--split", split];
        string Base(int t) => Path.Combine(folders[t], "base.safetensors");

        // Phase 1: factors on each party's own data; only the factor files travel.
        for (int t = 0; t < 3; t++)
        {
            string factors = Path.Combine(folders[t], tasks[t].Name + ".kfac.safetensors");
            var kfac = (await CliRun.Ok(["kfac", "--base", Base(t), .. Data(t, "train"), "--out", factors, "--json"])).Json();
            kfac.GetProperty("kind").GetString().ShouldBe("factors");
            kfac.GetProperty("baseFingerprint").GetString().ShouldBe(fingerprint);
            for (int u = 0; u < 3; u++)
                if (u != t) File.Copy(factors, Path.Combine(folders[u], Path.GetFileName(factors)));
        }

        // Phase 2: each party fine-tunes against the other parties' factor files; only τ and its head travel.
        for (int t = 0; t < 3; t++)
        {
            var others = Enumerable.Range(0, 3).Where(u => u != t).Select(u => Path.Combine(folders[t], tasks[u].Name + ".kfac.safetensors")).ToArray();
            string tau = Path.Combine(folders[t], tasks[t].Name + ".tau.safetensors");
            var fineTune = (await CliRun.Ok(["finetune", "--base", Base(t), .. Data(t, "train"), "--factors", .. others, "--beta", "100",
                "--steps", "200", "--batch-size", "32", "--lr", "1e-2", "--warmup", "20", "--out", tau, "--json"])).Json();
            fineTune.GetProperty("kind").GetString().ShouldBe("task-vector");
            fineTune.GetProperty("regularizer").GetString().ShouldBe("Tak");
            string head = fineTune.GetProperty("head").GetString()!;
            File.Exists(head).ShouldBeTrue();
            File.Copy(tau, Path.Combine(coordinator, Path.GetFileName(tau)));
            File.Copy(head, Path.Combine(coordinator, Path.GetFileName(head)));
        }

        // What the coordinator received: kinds and base fingerprints, as inspect reports them.
        foreach (var (name, _) in tasks)
        {
            var tau = (await CliRun.Ok("inspect", Path.Combine(coordinator, name + ".tau.safetensors"), "--json")).Json();
            tau.GetProperty("kind").GetString().ShouldBe("task-vector");
            tau.GetProperty("baseFingerprint").GetString().ShouldBe(fingerprint);
            var head = (await CliRun.Ok("inspect", Path.Combine(coordinator, name + ".head.safetensors"), "--json")).Json();
            head.GetProperty("kind").GetString().ShouldBe("head");
            head.GetProperty("baseFingerprint").GetString().ShouldBe(fingerprint);
        }
        Directory.GetFiles(coordinator).Select(Path.GetFileName).Order().ShouldBe(
            ["base.safetensors", "p01.head.safetensors", "p01.tau.safetensors", "p23.head.safetensors", "p23.tau.safetensors", "p45.head.safetensors", "p45.tau.safetensors"]);

        // Phase 3: one merge at the coordinator; the merged checkpoint goes back to every party.
        string merged = Path.Combine(coordinator, "merged.safetensors");
        var merge = (await CliRun.Ok(["merge", "--base", baseFile, .. tasks.Select(t => Path.Combine(coordinator, t.Name + ".tau.safetensors")), "--out", merged, "--json"])).Json();
        merge.GetProperty("kind").GetString().ShouldBe("checkpoint");
        merge.GetProperty("tensors").GetInt32().ShouldBeGreaterThan(0);
        var mergedInfo = (await CliRun.Ok("inspect", merged, "--json")).Json();
        mergedInfo.GetProperty("kind").GetString().ShouldBe("checkpoint");
        mergedInfo.GetProperty("baseFingerprint").GetString().ShouldBe(fingerprint);   // merged_base_fingerprint

        var accuracies = new double[3];
        for (int t = 0; t < 3; t++)
        {
            string copy = Path.Combine(folders[t], "merged.safetensors");
            File.Copy(merged, copy);
            var eval = (await CliRun.Ok(["eval", "--base", Base(t), "--model", copy, "--head", Path.Combine(folders[t], tasks[t].Name + ".head.safetensors"),
                .. Data(t, "test"), "--json"])).Json();
            accuracies[t] = eval.GetProperty("accuracy").GetDouble();
            eval.GetProperty("chance").GetDouble().ShouldBe(0.5);
            eval.GetProperty("examples").GetInt32().ShouldBeGreaterThan(50);
        }
        foreach (double accuracy in accuracies) accuracy.ShouldBeGreaterThan(0.6, $"merged accuracies {string.Join(", ", accuracies)} (chance 0.5)");
        accuracies.Average().ShouldBeGreaterThan(0.7, $"merged accuracies {string.Join(", ", accuracies)}");
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
}
