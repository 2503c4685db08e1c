// MergeCommand: `taskvectors merge`: phase 3: θ = θ0 + α·method(α_1·τ_1, …, α_T·τ_T) → a merged checkpoint that loads
// like its base. The merge is given by flags (files, --method, --alpha, --weights, hyperparameters) or by a
// mergekit-style YAML configuration (--config) that may also set values per tensor with name filters.
using System.CommandLine;
using TaskVectors.Cli.Hosting;
using TaskVectors.Cli.Merging;
using TaskVectors.Merging;

namespace TaskVectors.Cli.Commands;

internal sealed class MergeCommand : ICliCommand
{
    public int Order => 50;

    public Command Create(CliHost host)
    {
        var baseOption = new Option<string?>("--base", "-b") { Description = "The base θ0 (file or catalogue name); with --config, overrides its base_model." };
        var vocab = new Option<string?>("--vocab") { Description = "The tokenizer vocabulary of a BERT base file (default: vocab.txt beside it)." };
        var vectors = new Argument<string[]>("task-vectors") { Description = "The task-vector files to merge (or 'models' in --config).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out", "-o") { Description = "The merged checkpoint to write.", Required = true };
        var config = new Option<string?>("--config", "-c") { Description = "A YAML merge configuration (merge_method, base_model, parameters, models), mergekit-style." };
        var method = new Option<string>("--method") { Description = $"The merge method: {string.Join(", ", MergeMethods.Names)}.", DefaultValueFactory = _ => "task_arithmetic" };
        var alpha = new Option<float>("--alpha") { Description = "α: θ = θ0 + α·τ*.", DefaultValueFactory = _ => 1f };
        var weights = new Option<string?>("--weights") { Description = "α_t per task vector, comma-separated in file order (τ_t is scaled before the merge)." };
        var factors = new Option<string[]>("--factors", "-f") { Description = "One factor file per task vector, in order (regmean, fisher).", AllowMultipleArgumentsPerToken = true };
        var density = new Option<double?>("--density") { Description = "TIES: fraction of entries kept per tensor (default 0.2)." };
        var dropRate = new Option<double?>("--drop-rate") { Description = "DARE: drop probability (default 0.5)." };
        var lambda = new Option<double?>("--lambda") { Description = "TALL/Consensus: λ of the masks (default 0.4)." };
        var minTasks = new Option<int?>("--min-tasks") { Description = "Consensus: tasks an entry must be used by (default 2)." };
        var seed = new Option<ulong?>("--merge-seed") { Description = "DARE: seed of the drop masks." };
        var command = host.Command("merge",
            "Merge task vectors into their base: θ = θ0 + α·τ*, τ* = method(α_1·τ_1, …). Every task vector must record the base's " +
            "fingerprint. The YAML configuration follows mergekit's layout; its parameters may differ per tensor (first matching filter wins).",
            "taskvectors merge --base base.safetensors a.tau.safetensors b.tau.safetensors c.tau.safetensors --out merged.safetensors",
            "taskvectors merge --base base.safetensors *.tau.safetensors --method ties --density 0.2 --alpha 0.8 --out merged.safetensors",
            "taskvectors merge --base base.safetensors a.tau.safetensors b.tau.safetensors --weights 0.7,0.5 --out merged.safetensors",
            "taskvectors merge --config merge.yaml --out merged.safetensors --json");
        command.Add(baseOption);
        command.Add(vocab);
        command.Add(vectors);
        command.Add(output);
        command.Add(config);
        command.Add(method);
        command.Add(alpha);
        command.Add(weights);
        command.Add(factors);
        command.Add(density);
        command.Add(dropRate);
        command.Add(lambda);
        command.Add(minTasks);
        command.Add(seed);
        host.Bind(command, run =>
        {
            MergeRequest request;
            var exitForParameters = ExitCode.Usage;
            if (run.Get(config) is { } yaml)
            {
                if (run.Get(vectors) is { Length: > 0 }) throw new CliException(ExitCode.Usage, "Give the task vectors either as arguments or as 'models' in --config, not both.");
                request = MergeConfigReader.Read(Files.Existing(yaml, "--config"));
                exitForParameters = ExitCode.BadConfig;
            }
            else
            {
                var files = run.Get(vectors) ?? [];
                var fileFactors = run.Get(factors) ?? [];
                if (fileFactors.Length > 0 && fileFactors.Length != files.Length)
                    throw new CliException(ExitCode.Usage, $"--factors: {fileFactors.Length} factor files for {files.Length} task vectors; give one per task vector, in order.");
                var w = run.Get(weights) is { } text ? DataOptions.Numbers(text, "--weights") : [.. files.Select(_ => 1.0)];
                if (w.Length != files.Length) throw new CliException(ExitCode.Usage, $"--weights: {w.Length} weights for {files.Length} task vectors.");
                var parameters = new Dictionary<string, FilteredValue>(StringComparer.Ordinal);
                void Set(string name, double? value) { if (value is { } v) parameters[name] = FilteredValue.Of(v); }
                Set("density", run.Get(density));
                Set("drop_rate", run.Get(dropRate));
                Set("lambda", run.Get(lambda));
                Set("min_tasks", run.Get(minTasks));
                Set("seed", run.Get(seed));
                request = new MergeRequest
                {
                    Method = run.Get(method), MethodSource = "--method", Parameters = parameters, Alpha = FilteredValue.Of(run.Get(alpha)),
                    Inputs = [.. files.Select((f, i) => new MergeInput(f, fileFactors.Length > 0 ? fileFactors[i] : null, FilteredValue.Of(w[i])))],
                };
            }
            string baseName = run.Get(baseOption) ?? request.Base ?? throw new CliException(ExitCode.Usage, "No base: give --base (or base_model in --config).");
            if (!MergeMethods.Names.Contains(request.Method))
                throw new CliException(ExitCode.UnknownMethod, $"{request.MethodSource}: no merge method is named '{request.Method}'; known: {string.Join(", ", MergeMethods.Names)}.");
            foreach (var input in request.Inputs) Files.Existing(input.Path, "task vector");
            string path = Files.Output(run.Get(output));
            var loaded = Bases.BaseResolver.Load(baseName, run.Get(vocab), run.Cancellation);
            var result = ConfiguredMerge.Run(request, loaded, path, run.Progress, run.Cancellation, exitForParameters);
            return new CommandOutput(result,
                $"Wrote {path}: θ0 + α·{request.Method}(τ_1 … τ_{request.Inputs.Count}) with α = {request.Alpha} on {loaded.Description}.\n");
        });
        return command;
    }
}
