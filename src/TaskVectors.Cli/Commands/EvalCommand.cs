// EvalCommand: `taskvectors eval`: top-1 accuracy through a task's frozen head on a data set, of θ0, of θ0 + α·τ for a
// task vector (through f_lin at θ0 when τ is linearized), or of a merged checkpoint. A merged checkpoint of linearized
// task vectors holds θ0 + α·τ*, which is evaluated as the linearized model at θ0 with τ* = θ − θ0 (the paper's
// protocol); a non-linear one is loaded and run as it is.
using System.CommandLine;
using System.Globalization;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Heads;
using TaskVectors.Cli.Hosting;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Commands;

internal sealed class EvalCommand : ICliCommand
{
    public int Order => 70;

    public Command Create(CliHost host)
    {
        var baseOptions = new BaseOptions();
        var data = new DataOptions();
        var head = new Option<string>("--head") { Description = "The task's head file (shipped with its task vector).", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "A merged checkpoint (from merge or negate) to evaluate." };
        var taskVector = new Option<string?>("--task-vector", "-t") { Description = "A task vector to evaluate at θ0 + α·τ." };
        var alpha = new Option<float>("--alpha") { Description = "α for --task-vector.", DefaultValueFactory = _ => 1f };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per forward pass.", DefaultValueFactory = _ => 128 };
        var command = host.Command("eval",
            "Accuracy of the base, a task vector or a merged checkpoint on a data set through a task's head (chance is 1/classes).",
            "taskvectors eval --base base.safetensors --model merged.safetensors --head a.head.safetensors --data digits.csv.gz --classes 0,1 --split test",
            "taskvectors eval --base base.safetensors --task-vector a.tau.safetensors --alpha 0.8 --head a.head.safetensors --data test.jsonl",
            "taskvectors eval --base all-MiniLM-L6-v2 --head spam.head.safetensors --data spam-test.jsonl --json");
        command.Add(head);
        command.Add(model);
        command.Add(taskVector);
        command.Add(alpha);
        command.Add(batchSize);
        baseOptions.AddTo(command);
        data.AddTo(command);
        host.Bind(command, run =>
        {
            if (run.Get(model) is not null && run.Get(taskVector) is not null)
                throw new CliException(ExitCode.Usage, "Give --model or --task-vector, not both.");
            var spec = data.Read(run);
            string headFile = Files.Existing(run.Get(head), "--head");
            string? modelFile = run.Get(model) is { } m ? Files.Existing(m, "--model") : null;
            string? tauFile = run.Get(taskVector) is { } t ? Files.Existing(t, "--task-vector") : null;
            return baseOptions.Load(run).Apply(new Work(run, spec, headFile, modelFile, tauFile, run.Get(alpha), run.Get(batchSize)));
        });
        return command;
    }

    private sealed class Work(CommandRun run, Inputs.DataSpec spec, string headFile, string? modelFile, string? tauFile, float alpha, int batchSize) : IBaseWork<CommandOutput>
    {
        public CommandOutput Run<TInput>(LoadedBase<TInput> b)
        {
            var (head, recorded) = HeadFile.Load(headFile);
            BaseCheck.Ensure(headFile, recorded, b);
            TaskVector? tau = null;
            string what = "the base θ0";
            if (tauFile is not null)
            {
                tau = TaskVector.Load(tauFile);
                BaseCheck.Ensure(tauFile, tau.BaseFingerprint, b);
                what = $"θ0 + {alpha.ToString(CultureInfo.InvariantCulture)}·τ ({tauFile}, {TaskVector.RegimeText(tau.Regime)})";
            }
            else if (modelFile is not null)
            {
                tau = Merged(b, modelFile);
                what = $"merged checkpoint {modelFile} ({TaskVector.RegimeText(tau?.Regime ?? Regime.NonLinear)})";
            }
            var data = b.LoadData(spec);
            HeadOptions.Check(head, headFile, b, data);
            run.Cancellation.ThrowIfCancellationRequested();
            double accuracy = Evaluator.Accuracy(b.Model, head, data, tau, alpha: tauFile is null ? 1f : alpha, batchSize: batchSize);
            return new CommandOutput(
                new { accuracy, examples = data.Count, classes = data.Classes, chance = 1.0 / data.Classes, evaluated = what, head = headFile, data = data.Description, baseFingerprint = b.Fingerprint },
                $"accuracy {accuracy * 100:F1} % on {data.Description} (chance {100.0 / data.Classes:F1} %) of {what}, head {headFile}\n");
        }

        // τ* = θ − θ0 of a linearized merge (evaluated through f_lin at θ0); a non-linear merge is loaded into the model
        // itself (null is returned: the model is then θ).
        private static TaskVector? Merged<TInput>(LoadedBase<TInput> b, string path)
        {
            using var file = SafetensorsFile.Open(path);
            FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: true, FileHeader.Checkpoint);
            BaseCheck.Ensure(path, file.Metadata.GetValueOrDefault(BaseCheck.MergedBaseKey), b);
            string regime = file.Metadata.GetValueOrDefault("merged_regime") ?? "";
            if (regime != TaskVector.RegimeText(Regime.Linearized))
            {
                var options = file.Metadata.GetValueOrDefault("format") == BertMetadata.Format ? BertMetadata.LoadOptions(BertMetadata.Read(file.Metadata, path).HasPooler) : null;
                Checkpoint.Load(b.Model, path, options);
                return null;
            }
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var p in b.Model.Parameters)
            {
                if (!file.Contains(p.Name)) continue;
                var theta = file.ReadTensor(p.Name);
                if (!theta.HasShape(p.Value.Shape)) throw new InvalidDataException($"'{path}': tensor '{p.Name}' is {theta.ShapeText}; the base's is {p.Value.ShapeText}.");
                var span = theta.Span;
                var theta0 = p.Value.Span;
                bool moved = false;
                for (int i = 0; i < span.Length; i++) moved |= (span[i] -= theta0[i]) != 0;
                if (moved) tensors.Add(p.Name, theta);   // untouched tensors need no tangent in the JVP
            }
            return new TaskVector(tensors, new Dictionary<string, string>
            {
                [ModelFingerprint.MetadataKey] = b.Fingerprint,
                [TaskVector.RegimeKey] = regime,
            });
        }
    }
}
