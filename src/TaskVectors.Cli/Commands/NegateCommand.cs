// NegateCommand: `taskvectors negate`: forgetting a task: θ = θ0 − α·τ → a checkpoint that loads like its base (the
// merge of one task vector with α negated, so eval treats it like any merged checkpoint). α is given, or searched by
// the paper's protocol (MergeEvaluation.Negate): the largest α of the grid whose control accuracy on validation data
// stays ≥ threshold × θ0's, target and control accuracies reported on test data (validation and test are the parts of
// each file's seeded split).
using System.CommandLine;
using System.Globalization;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Heads;
using TaskVectors.Cli.Hosting;
using TaskVectors.Cli.Inputs;
using TaskVectors.Cli.Merging;
using TaskVectors.Data;
using TaskVectors.Merging;
using TaskVectors.Models;

namespace TaskVectors.Cli.Commands;

internal sealed class NegateCommand : ICliCommand
{
    public int Order => 60;

    public Command Create(CliHost host)
    {
        var baseOptions = new BaseOptions();
        var target = new DataOptions(required: false, role: "the negated task, for the α search");
        var control = new DataOptions("control-", required: false, role: "a task to keep, for the α search");
        var vector = new Argument<string>("task-vector") { Description = "The task vector τ to subtract." };
        var output = new Option<string>("--out", "-o") { Description = "The checkpoint θ0 − α·τ to write.", Required = true };
        var alpha = new Option<float>("--alpha") { Description = "α ≥ 0: how much of τ to subtract (without an α search).", DefaultValueFactory = _ => 1f };
        var head = new Option<string?>("--head") { Description = "The negated task's head (α search)." };
        var controlHead = new Option<string?>("--control-head") { Description = "The control task's head (α search)." };
        var alphas = new Option<string?>("--alphas") { Description = "The α grid of the search (default 0, 0.05, …, 1)." };
        var threshold = new Option<double>("--control-threshold") { Description = "Keep at least this fraction of θ0's control accuracy.", DefaultValueFactory = _ => 0.95 };
        var command = host.Command("negate",
            "Remove a task: write θ0 − α·τ. With the negated task's and a control task's data and heads, α is the largest of a grid " +
            "that keeps the control's validation accuracy ≥ 95 % of the base's (the paper's protocol), reported on test data.",
            "taskvectors negate --base base.safetensors a.tau.safetensors --alpha 0.8 --out forget-a.safetensors",
            "taskvectors negate --base base.safetensors a.tau.safetensors --data digits.csv.gz --classes 0,1 --head a.head.safetensors " +
                "--control-data digits.csv.gz --control-classes 2,3 --control-head b.head.safetensors --out forget-a.safetensors",
            "taskvectors eval --base base.safetensors --model forget-a.safetensors --head a.head.safetensors --data digits.csv.gz --classes 0,1 --split test");
        command.Add(vector);
        command.Add(output);
        command.Add(alpha);
        command.Add(head);
        command.Add(controlHead);
        command.Add(alphas);
        command.Add(threshold);
        baseOptions.AddTo(command);
        target.AddTo(command);
        control.AddTo(command);
        host.Bind(command, run =>
        {
            string file = Files.Existing(run.Get(vector), "task-vector");
            string path = Files.Output(run.Get(output));
            bool search = target.IsGiven(run) || control.IsGiven(run);
            Search? settings = null;
            if (search)
            {
                if (!target.IsGiven(run) || !control.IsGiven(run))
                    throw new CliException(ExitCode.Usage, "The α search needs both the negated task's data (--data, --head) and a control task's (--control-data, --control-head).");
                var options = new EvaluationOptions { ControlThreshold = run.Get(threshold) };
                if (run.Get(alphas) is { } grid) options = options with { Alphas = [.. DataOptions.Numbers(grid, "--alphas").Select(a => (float)a)] };
                settings = new Search(target.Read(run), control.Read(run),
                    Files.Existing(run.Get(head) ?? throw new CliException(ExitCode.Usage, "The α search needs --head."), "--head"),
                    Files.Existing(run.Get(controlHead) ?? throw new CliException(ExitCode.Usage, "The α search needs --control-head."), "--control-head"), options);
            }
            float a = run.Get(alpha);
            if (!(a >= 0 && float.IsFinite(a))) throw new CliException(ExitCode.Usage, $"--alpha must be finite and ≥ 0 (got {a}); negation subtracts α·τ.");
            var loaded = baseOptions.Load(run);
            NegationResult? negation = settings is null ? null : loaded.Apply(new SearchWork(file, settings, run.Cancellation));
            if (negation is not null) a = negation.Alpha;
            var request = new MergeRequest
            {
                Method = "task_arithmetic", MethodSource = "negate", Parameters = new Dictionary<string, FilteredValue>(), Alpha = FilteredValue.Of(-a),
                Inputs = [new MergeInput(file, null, FilteredValue.Of(1))],
            };
            var result = ConfiguredMerge.Run(request, loaded, path, run.Progress, run.Cancellation, ExitCode.Usage);
            string alphaText = a.ToString(CultureInfo.InvariantCulture);
            string text = $"Wrote {path}: θ0 − {alphaText}·τ ({file}) on {loaded.Description}.\n" + (negation is null ? "" :
                $"α {alphaText} picked on validation ({(negation.Alpha == 0 ? "no α of the grid keeps the control" : $"control ≥ {run.Get(threshold):P0} of θ0's")}); " +
                $"test accuracy: target {negation.BaseTarget:P1} → {negation.TargetAccuracy:P1}, control {negation.BaseControl:P1} → {negation.ControlAccuracy:P1}.\n");
            return new CommandOutput(new { merge = result, alpha = a, negation }, text);
        });
        return command;
    }

    private sealed record Search(DataSpec Target, DataSpec Control, string Head, string ControlHead, EvaluationOptions Options);

    private sealed class SearchWork(string tauFile, Search search, CancellationToken cancellationToken) : IBaseWork<NegationResult>
    {
        public NegationResult Run<TInput>(LoadedBase<TInput> b)
        {
            var tau = TaskVector.Load(tauFile);
            BaseCheck.Ensure(tauFile, tau.BaseFingerprint, b);
            cancellationToken.ThrowIfCancellationRequested();
            var target = Task(b, "target", search.Target, search.Head);
            var control = Task(b, "control", search.Control, search.ControlHead);
            return MergeEvaluation.Negate(b.Model, target, control, tau, "negation", search.Options);
        }

        private static EvaluationTask<TInput> Task<TInput>(LoadedBase<TInput> b, string name, DataSpec spec, string headFile)
        {
            var (head, recorded) = HeadFile.Load(headFile);
            BaseCheck.Ensure(headFile, recorded, b);
            ILabeledData<TInput> Part(DataSplitPart part)
            {
                var data = b.LoadData(spec with { Split = part });
                HeadOptions.Check(head, headFile, b, data);
                return data;
            }
            return new EvaluationTask<TInput>(name, head, Part(DataSplitPart.Validation), Part(DataSplitPart.Test));
        }
    }
}
