// ICliCommand: one subcommand of `taskvectors`. Every non-abstract implementation in this assembly is found and added
// to the root command, so a new command (e.g. `bench`) is one new file.
using System.CommandLine;

namespace TaskVectors.Cli.Hosting;

internal interface ICliCommand
{
    /// <summary>Position in the help listing (the workflow's order).</summary>
    int Order { get; }

    /// <summary>Creates the command, its options and its action (bound through <paramref name="host"/>).</summary>
    Command Create(CliHost host);
}
