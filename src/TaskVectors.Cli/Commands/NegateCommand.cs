// NegateCommand: `taskvectors negate`: forgetting a task: θ = θ0 − α·τ → a checkpoint that loads like its base (the
// merge of one task vector with α negated, so eval treats it like any merged checkpoint).
using System.CommandLine;
using TaskVectors.Cli.Hosting;
using TaskVectors.Cli.Merging;

namespace TaskVectors.Cli.Commands;

internal sealed class NegateCommand : ICliCommand
{
    public int Order => 60;

    public Command Create(CliHost host)
    {
        var baseOptions = new BaseOptions();
        var vector = new Argument<string>("task-vector") { Description = "The task vector τ to subtract." };
        var output = new Option<string>("--out", "-o") { Description = "The checkpoint θ0 − α·τ to write.", Required = true };
        var alpha = new Option<float>("--alpha") { Description = "α ≥ 0: how much of τ to subtract.", DefaultValueFactory = _ => 1f };
        var command = host.Command("negate",
            "Remove a task: write θ0 − α·τ. Evaluate the result on the forgotten task (accuracy should fall) and on a control task (it should hold) with eval.",
            "taskvectors negate --base base.safetensors a.tau.safetensors --alpha 0.8 --out forget-a.safetensors",
            "taskvectors eval --base base.safetensors --model forget-a.safetensors --head a.head.safetensors --data digits.csv.gz --classes 0,1 --split test");
        command.Add(vector);
        command.Add(output);
        command.Add(alpha);
        baseOptions.AddTo(command);
        host.Bind(command, run =>
        {
            float a = run.Get(alpha);
            if (!(a >= 0 && float.IsFinite(a))) throw new CliException(ExitCode.Usage, $"--alpha must be finite and ≥ 0 (got {a}); negation subtracts α·τ.");
            string file = Files.Existing(run.Get(vector), "task-vector");
            string path = Files.Output(run.Get(output));
            var loaded = baseOptions.Load(run);
            var request = new MergeRequest
            {
                Method = "task_arithmetic", MethodSource = "negate", Parameters = new Dictionary<string, FilteredValue>(), Alpha = FilteredValue.Of(-a),
                Inputs = [new MergeInput(file, null, FilteredValue.Of(1))],
            };
            var result = ConfiguredMerge.Run(request, loaded, path, run.Progress, run.Cancellation, ExitCode.Usage);
            return new CommandOutput(result, $"Wrote {path}: θ0 − {a}·τ ({file}) on {loaded.Description}.\n");
        });
        return command;
    }
}
