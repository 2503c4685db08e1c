// HeadOptions: how finetune gets its task's frozen head: an existing head file (--head), or one made at θ0 and written
// beside the task vector (--head-init prototypes | prompts | random → --head-out) for the owner to ship with it.
using System.CommandLine;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;
using TaskVectors.Layers;

namespace TaskVectors.Cli.Heads;

internal sealed class HeadOptions
{
    public Option<string?> Head { get; } = new("--head") { Description = "An existing head file to train against (otherwise one is made with --head-init)." };
    public Option<HeadInit> Init { get; } = new("--head-init") { Description = "How to make the head: class means of the base's embeddings (Prototypes), class prompts (Prompts, text bases) or seeded random.", DefaultValueFactory = _ => HeadInit.Prototypes };
    public Option<string?> Prompts { get; } = new("--prompts") { Description = "One class prompt per line, in class order (--head-init prompts)." };
    public Option<string?> Output { get; } = new("--head-out") { Description = "Where the made head is written (default: beside --out, NAME.head.safetensors)." };
    public Option<float> Scale { get; } = new("--logit-scale") { Description = "The head's logit scale s (logits = s·cos).", DefaultValueFactory = _ => 30f };
    public Option<ulong> Seed { get; } = new("--head-seed") { Description = "Seed of a random head.", DefaultValueFactory = _ => 1UL };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Head, Init, Prompts, Output, Scale, Seed }) command.Add(option);
    }

    /// <summary>The head file written beside <paramref name="taskVector"/> by default.</summary>
    public static string DefaultPath(string taskVector)
    {
        string name = taskVector.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? taskVector[..^".safetensors".Length] : taskVector;
        if (name.EndsWith(".tau", StringComparison.OrdinalIgnoreCase)) name = name[..^".tau".Length];
        return name + ".head.safetensors";
    }

    /// <summary>The given head (checked against the base and data), or a made one with the path it is to be written to.</summary>
    public (CosineHead Head, string? ToWrite, string Init) Resolve<TInput>(CommandRun run, LoadedBase<TInput> b, ILabeledData<TInput> data, string name, string taskVector)
    {
        if (run.Get(Head) is { } file)
        {
            var (head, recorded) = HeadFile.Load(Files.Existing(file, "--head"));
            BaseCheck.Ensure(file, recorded, b);
            Check(head, file, b, data);
            return (head, null, "file");
        }
        float scale = run.Get(Scale);
        var init = run.Get(Init);
        var made = init switch
        {
            HeadInit.Prompts => HeadBuilder.Prompts(b, Files.Existing(run.Get(Prompts) ?? throw new CliException(ExitCode.Usage, "--head-init prompts needs --prompts FILE."), "--prompts"), data.Classes, name, scale),
            HeadInit.Random => HeadBuilder.Random(data.Classes, b.Model.EmbeddingDim, run.Get(Seed), name, scale),
            _ => HeadBuilder.Prototypes(b, data, name, scale, run.Cancellation),
        };
        return (made, Files.Output(run.Get(Output) ?? DefaultPath(taskVector)), init.ToString().ToLowerInvariant());
    }

    /// <summary>Throws unless <paramref name="head"/> fits the base's embeddings and the data's labels.</summary>
    public static void Check<TInput>(CosineHead head, string file, LoadedBase<TInput> b, ILabeledData<TInput> data)
    {
        if (head.Features != b.Model.EmbeddingDim)
            throw new CliException(ExitCode.WrongBase, $"Head '{file}' takes {head.Features}-d embeddings; the base produces {b.Model.EmbeddingDim}.");
        if (head.Classes < data.Classes)
            throw new CliException(ExitCode.BadFile, $"Head '{file}' has {head.Classes} classes; the data '{data.Description}' has {data.Classes}.");
    }
}
