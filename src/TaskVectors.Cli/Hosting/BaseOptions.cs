// BaseOptions: --base and --vocab, shared by every command that runs the base model.
using System.CommandLine;
using TaskVectors.Cli.Bases;

namespace TaskVectors.Cli.Hosting;

internal sealed class BaseOptions
{
    public Option<string> Base { get; } = new("--base", "-b")
    {
        Description = "The base model θ0: a checkpoint file from `taskvectors init` or `taskvectors import` (its metadata records the " +
            "architecture), or a catalogue name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs).",
        Required = true,
    };

    public Option<string?> Vocab { get; } = new("--vocab") { Description = "The tokenizer vocabulary of a BERT base file (default: vocab.txt beside it)." };

    public void AddTo(Command command)
    {
        command.Add(Base);
        command.Add(Vocab);
    }

    /// <summary>Loads the base the command line names.</summary>
    public LoadedBase Load(CommandRun run) => BaseResolver.Load(run.Get(Base), run.Get(Vocab), run.Cancellation);
}
