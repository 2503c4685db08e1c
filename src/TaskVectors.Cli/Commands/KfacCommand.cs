// KfacCommand: `taskvectors kfac`: phase 1 for one party: the KFAC factors (A_l, G_l per Linear block, dense blocks for
// LayerNorms) of the base at θ0 on this party's inputs (labels unused) → a factor file that records the base's
// fingerprint. The factor file is what the party shares instead of its data.
using System.CommandLine;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Curvature;

namespace TaskVectors.Cli.Commands;

internal sealed class KfacCommand : ICliCommand
{
    public int Order => 30;

    public Command Create(CliHost host)
    {
        var baseOptions = new BaseOptions();
        var data = new DataOptions();
        var output = new Option<string>("--out", "-o") { Description = "The factor file to write.", Required = true };
        var estimator = new Option<KfacEstimatorKind>("--estimator") { Description = "G by Monte-Carlo probes (MonteCarlo) or all C output directions (Exact).", DefaultValueFactory = _ => KfacEstimatorKind.MonteCarlo };
        var probes = new Option<int>("--probes") { Description = "Monte-Carlo probes per example.", DefaultValueFactory = _ => 1 };
        var tokenMode = new Option<KfacTokenMode>("--token-mode") { Description = "Tokens as samples scaled 1/R (Expand, the reference) or summed first (Reduce).", DefaultValueFactory = _ => KfacTokenMode.Expand };
        var separateQkv = new Option<bool>("--separate-qkv") { Description = "q, k and v as three blocks instead of one fused block." };
        var diagonal = new Option<bool>("--diagonal") { Description = "Also store the diagonal GGN (needed by finetune --regularizer diagonal-ggn)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => 64 };
        var maxExamples = new Option<int?>("--kfac-examples") { Description = "Estimate on at most this many examples (a few hundred saturate)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the Monte-Carlo probes.", DefaultValueFactory = _ => 0UL };
        var single = new Option<bool>("--single") { Description = "Store the factors in float32 (half the size) instead of float64." };
        var command = host.Command("kfac",
            "Estimate the KFAC factors of the base at θ0 on one task's inputs and write them to a factor file (labels are not used). " +
            "Share the factor file, never the data: other parties regularize their fine-tuning with it.",
            "taskvectors kfac --base base.safetensors --data digits.csv.gz --classes 0,1 --split train --out a.kfac.safetensors",
            "taskvectors kfac --base all-MiniLM-L6-v2 --data spam.jsonl --label-names ham,spam --out spam.kfac.safetensors --diagonal");
        command.Add(output);
        command.Add(estimator);
        command.Add(probes);
        command.Add(tokenMode);
        command.Add(separateQkv);
        command.Add(diagonal);
        command.Add(batchSize);
        command.Add(maxExamples);
        command.Add(seed);
        command.Add(single);
        baseOptions.AddTo(command);
        data.AddTo(command);
        host.Bind(command, run =>
        {
            var spec = data.Read(run);
            var options = new KfacOptions
            {
                Estimator = run.Get(estimator), Probes = run.Get(probes), TokenMode = run.Get(tokenMode), FuseQkv = !run.Get(separateQkv),
                Diagonal = run.Get(diagonal), BatchSize = run.Get(batchSize), MaxExamples = run.Get(maxExamples) ?? int.MaxValue, Seed = run.Get(seed),
            };
            options.Validate();
            string path = Files.Output(run.Get(output));
            var loaded = baseOptions.Load(run);
            return loaded.Apply(new Work(run, spec, options, path, run.Get(single) ? FactorPrecision.Single : FactorPrecision.Double));
        });
        return command;
    }

    private sealed class Work(CommandRun run, Inputs.DataSpec spec, KfacOptions options, string path, FactorPrecision precision) : IBaseWork<CommandOutput>
    {
        public CommandOutput Run<TInput>(LoadedBase<TInput> b)
        {
            var data = b.LoadData(spec);
            var factors = run.Progress.Run($"kfac {Path.GetFileName(spec.Path)}", "examples", report =>
                KfacEstimator.Estimate(b.Model, data, options,
                    new Building.InlineProgress<KfacProgress>(p => report(p.Examples, p.TotalExamples)), run.Cancellation));
            run.Cancellation.ThrowIfCancellationRequested();
            factors.Save(path, precision);
            long bytes = new FileInfo(path).Length;
            return new CommandOutput(
                new
                {
                    output = path, kind = "factors", baseFingerprint = b.Fingerprint, data = data.Description, examples = factors.Count,
                    kroneckerBlocks = factors.Blocks.Count, denseBlocks = factors.DenseBlocks.Count, diagonal = factors.HasDiagonal, bytes,
                },
                $"Wrote {path}: KFAC factors of {b.Description} on {data.Description}; {factors.Blocks.Count} Kronecker and " +
                $"{factors.DenseBlocks.Count} dense blocks, {factors.Count} examples, {bytes / 1e6:F1} MB.\n");
        }
    }
}
