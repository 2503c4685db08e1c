// FineTuneCommand: `taskvectors finetune`: phase 2 for one party: τ_t = θ_t − θ0 by FineTuner on this party's data
// through its frozen head, in either regime and any parameter selection, optionally penalized by the other parties'
// factor files (TAK: β·Σ_l tr(G*_l ΔW_l A*_l ΔW_lᵀ) + …, or the diagonal GGN), the factors aggregated by Eq. 8
// (FactorAggregate.Combine) → a task-vector file, plus the head file when the head was made here.
using System.CommandLine;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Heads;
using TaskVectors.Cli.Hosting;
using TaskVectors.Curvature;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Training;

namespace TaskVectors.Cli.Commands;

internal sealed class FineTuneCommand : ICliCommand
{
    public int Order => 40;

    private enum Trainable { LinearizedTak, AttentionOnly, Full, Custom }

    private enum Penalty { Tak, DiagonalGgn }

    public Command Create(CliHost host)
    {
        var baseOptions = new BaseOptions();
        var data = new DataOptions();
        var heads = new HeadOptions();
        var output = new Option<string>("--out", "-o") { Description = "The task-vector file to write.", Required = true };
        var task = new Option<string?>("--task") { Description = "The task's name (recorded in the files; default: from --out)." };
        var regime = new Option<Regime>("--regime") { Description = "Linearized (tangent, the paper's) or NonLinear fine-tuning.", DefaultValueFactory = _ => Regime.Linearized };
        var trainable = new Option<Trainable>("--trainable") { Description = "Parameters trained: LinearizedTak (every Linear, LayerNorms, class embedding), AttentionOnly, Full, or Custom (--include/--exclude).", DefaultValueFactory = _ => Trainable.LinearizedTak };
        var include = new Option<string[]>("--include") { Description = "Name patterns of parameters to train (with --trainable Custom; * wildcards).", AllowMultipleArgumentsPerToken = true };
        var exclude = new Option<string[]>("--exclude") { Description = "Name patterns of parameters never to train.", AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 2000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (cosine schedule after warm-up).", DefaultValueFactory = _ => 3e-4 };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up steps.", DefaultValueFactory = _ => 500 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 0.1 };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "AdamW or SgdMomentum.", DefaultValueFactory = _ => OptimizerKind.AdamW };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the example order (and dropout).", DefaultValueFactory = _ => 0UL };
        var factors = new Option<string[]>("--factors", "-f") { Description = "Other parties' factor files: fine-tune against their curvature (TAK).", AllowMultipleArgumentsPerToken = true };
        var penalty = new Option<Penalty>("--regularizer") { Description = "Tak (Kronecker factors) or DiagonalGgn (needs factor files made with kfac --diagonal).", DefaultValueFactory = _ => Penalty.Tak };
        var beta = new Option<double>("--beta") { Description = "Penalty strength β.", DefaultValueFactory = _ => 100 };
        var cLn = new Option<double>("--c-ln") { Description = "Weight of the LayerNorm/class-embedding dense blocks.", DefaultValueFactory = _ => 10 };
        var cProj = new Option<double>("--c-proj") { Description = "Weight of the final projection's block.", DefaultValueFactory = _ => 0.1 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint file to resume from and write to (an interrupted run continues there)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 100 };
        var command = host.Command("finetune",
            "Fine-tune the base on one task into a task vector τ = θ − θ0, through a frozen cosine head (given, or made here and written " +
            "beside the task vector). With other parties' factor files the fine-tuning is regularized by their curvature (TAK), so the " +
            "task vectors add up without interference; their data is never needed.",
            "taskvectors finetune --base base.safetensors --data digits.csv.gz --classes 0,1 --split train --factors b.kfac.safetensors c.kfac.safetensors --out a.tau.safetensors",
            "taskvectors finetune --base all-MiniLM-L6-v2 --data spam.jsonl --head-init prompts --prompts spam-prompts.txt --steps 300 --lr 1e-3 --out spam.tau.safetensors",
            "taskvectors finetune --base base.safetensors --data train/ --regime NonLinear --trainable AttentionOnly --out a.tau.safetensors");
        command.Add(output);
        command.Add(task);
        command.Add(regime);
        command.Add(trainable);
        command.Add(include);
        command.Add(exclude);
        command.Add(steps);
        command.Add(batchSize);
        command.Add(lr);
        command.Add(warmup);
        command.Add(weightDecay);
        command.Add(optimizer);
        command.Add(seed);
        command.Add(factors);
        command.Add(penalty);
        command.Add(beta);
        command.Add(cLn);
        command.Add(cProj);
        command.Add(checkpoint);
        command.Add(checkpointEvery);
        baseOptions.AddTo(command);
        data.AddTo(command);
        heads.AddTo(command);
        host.Bind(command, run =>
        {
            var spec = data.Read(run);
            string path = Files.Output(run.Get(output));
            var factorFiles = (run.Get(factors) ?? []).Select(f => Files.Existing(f, "--factors")).ToList();
            var selection = run.Get(trainable) switch
            {
                Trainable.AttentionOnly => ParameterSelection.AttentionOnly,
                Trainable.Full => ParameterSelection.Full,
                Trainable.Custom => new ParameterSelection { Name = "custom", Include = run.Get(include) ?? [] },
                _ => ParameterSelection.LinearizedTak,
            };
            if (run.Get(exclude) is { Length: > 0 } excluded) selection = selection with { Exclude = [.. selection.Exclude, .. excluded] };
            var options = new FineTuneOptions
            {
                Regime = run.Get(regime), Trainable = selection, Steps = run.Get(steps), BatchSize = run.Get(batchSize), LearningRate = run.Get(lr),
                WarmupSteps = run.Get(warmup), WeightDecay = run.Get(weightDecay), Optimizer = run.Get(optimizer), Seed = run.Get(seed),
                CheckpointPath = run.Get(checkpoint), CheckpointEvery = run.Get(checkpoint) is null ? 0 : run.Get(checkpointEvery),
            };
            options.Validate();
            var tak = new TakOptions { Beta = run.Get(beta), LayerNormCoefficient = run.Get(cLn), ProjectionCoefficient = run.Get(cProj) };
            tak.Validate();
            string name = run.Get(task) ?? Path.GetFileName(path).Split('.')[0];
            var loaded = baseOptions.Load(run);
            return loaded.Apply(new Work(run, heads, spec, options, factorFiles, run.Get(penalty), tak, name, path));
        });
        return command;
    }

    private sealed class Work(CommandRun run, HeadOptions heads, Inputs.DataSpec spec, FineTuneOptions options, List<string> factorFiles,
        Penalty penalty, TakOptions tak, string name, string path) : IBaseWork<CommandOutput>
    {
        public CommandOutput Run<TInput>(LoadedBase<TInput> b)
        {
            IRegularizer? regularizer = factorFiles.Count == 0 ? null : Regularizer(b);
            var data = b.LoadData(spec);
            var (head, headPath, init) = heads.Resolve(run, b, data, name, path);
            var settings = options with { Regularizers = regularizer is null ? [] : [regularizer] };
            var tau = run.Progress.Run($"finetune {name}", "steps", report =>
                new FineTuner<TInput>(b.Model, head, settings).Run(data,
                    new Building.InlineProgress<FineTuneProgress>(p => report(p.Step, p.TotalSteps)), run.Cancellation));
            run.Cancellation.ThrowIfCancellationRequested();
            var metadata = new Dictionary<string, string>(tau.Metadata, StringComparer.Ordinal)
            {
                ["task_name"] = name,
                ["head_file"] = Path.GetFileName(headPath ?? run.Get(heads.Head)!),
                ["regularizer"] = regularizer is null ? "none" : $"{penalty} beta={tak.Beta} factors={string.Join(",", factorFiles.Select(Path.GetFileName))}",
            };
            if (headPath is not null) HeadFile.Save(head, headPath, b.Fingerprint, init);
            new TaskVector(tau.Tensors, metadata).Save(path);
            if (options.CheckpointPath is { } checkpoint) File.Delete(checkpoint);
            string regularized = regularizer is null ? "no penalty" : $"{penalty} (β = {tak.Beta}) from {factorFiles.Count} factor file(s)";
            return new CommandOutput(
                new
                {
                    output = path, kind = "task-vector", head = headPath ?? run.Get(heads.Head), headInit = init, baseFingerprint = b.Fingerprint, task = name,
                    regime = TaskVector.RegimeText(tau.Regime), data = data.Description, steps = options.Steps, tensors = tau.Tensors.Count,
                    elements = tau.ElementCount, regularizer = regularizer is null ? "none" : penalty.ToString(), factorFiles,
                },
                $"Wrote {path}: τ of task '{name}' ({TaskVector.RegimeText(tau.Regime)}, {tau.Tensors.Count} tensors, {tau.ElementCount:N0} values) " +
                $"on {data.Description}, {regularized}." + (headPath is null ? "\n" : $"\nWrote {headPath}: its {init} head ({head.Classes} classes); ship it with the task vector.\n"));
        }

        private IRegularizer Regularizer<TInput>(LoadedBase<TInput> b)
        {
            var list = new List<TaskFactors>();
            foreach (string file in factorFiles)
            {
                var f = TaskFactors.Load(file);
                BaseCheck.Ensure(file, f.BaseFingerprint, b);
                f.EnsureBase(b.Model, file);
                if (penalty == Penalty.DiagonalGgn && !f.HasDiagonal)
                    throw new CliException(ExitCode.BadFile, $"Factor file '{file}' holds no diagonal GGN; compute it with `taskvectors kfac --diagonal` for --regularizer DiagonalGgn.");
                list.Add(f);
            }
            var aggregate = FactorAggregate.Combine(list);
            return penalty == Penalty.DiagonalGgn ? new DiagonalGgnRegularizer(aggregate, tak) : new TakRegularizer(aggregate, tak);
        }
    }
}
