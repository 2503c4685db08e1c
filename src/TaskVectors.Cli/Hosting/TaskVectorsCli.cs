// TaskVectorsCli: the tool's entry: builds the command tree (every ICliCommand in this assembly, in workflow order),
// parses, and runs. Parse errors exit with ExitCode.Usage; --help and --version exit 0. Tests call RunAsync in-process.
using System.CommandLine;
using System.Reflection;

namespace TaskVectors.Cli.Hosting;

internal static class TaskVectorsCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRoot(CliHost host)
    {
        var root = new RootCommand(
            "taskvectors: task arithmetic from the shell. The dataless multi-party workflow: each party computes KFAC factors of its " +
            "data at the shared base (kfac), fine-tunes its task against the other parties' factor files (finetune, TAK), and ships " +
            "only its task vector and head; anyone merges them (merge) and evaluates the result (eval).\n\n" +
            "Exit codes: 0 success, 1 failure, 2 usage, 3 missing file, 4 corrupt or wrong-kind file, 5 file of another base, " +
            "6 bad merge configuration, 7 unknown merge method, 130 cancelled.");
        var commands = typeof(TaskVectorsCli).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Order);
        host.Help = new Help();
        root.Add(host.Json);
        foreach (var command in commands) root.Add(command.Create(host));
        return root;
    }

    /// <summary>Runs the tool with <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var host = new CliHost(console);
        var parse = CreateRoot(host).Parse(args);
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0 && !Help.Requested(parse))
        {
            foreach (var error in parse.Errors) await console.Error.WriteLineAsync($"taskvectors: error: {error.Message}");
            await console.Error.WriteLineAsync("Run 'taskvectors --help' or 'taskvectors COMMAND --help' for usage.");
            return (int)ExitCode.Usage;
        }
        int code = await parse.InvokeAsync(configuration, cancellationToken);
        if (Help.Requested(parse)) host.Help!.WriteExamples(parse, console.Out);
        return code;
    }

    /// <summary>The tool's version (the assembly's informational version).</summary>
    public static string Version =>
        typeof(TaskVectorsCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
