// taskvectors: the command-line tool's process entry. Ctrl+C cancels the running command through System.CommandLine's
// cancellation token; outputs are written atomically, so a cancelled run leaves no partial file.
using TaskVectors.Cli.Hosting;

return await TaskVectorsCli.RunAsync(args, CliConsole.System());
