// CliProgress: runs long work (KFAC, fine-tuning, merging, the main job's phases) under Spectre.Console progress bars
// with throughput (or elapsed) and remaining time when the console is interactive and output is not JSON; otherwise
// runs it silently. The work reports from its own thread; the bars are redrawn by Spectre's render loop.
using Spectre.Console;

namespace TaskVectors.Cli.Hosting;

/// <summary>Shows progress of one piece of work at a time.</summary>
internal sealed class CliProgress(CliConsole console, bool enabled)
{
    /// <summary>Whether bars are drawn.</summary>
    public bool Enabled { get; } = enabled && console.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/>, which calls its argument with (done, total) as it goes, under a bar titled
    /// <paramref name="title"/> counting <paramref name="unit"/>.
    /// </summary>
    public T Run<T>(string title, string unit, Func<Action<long, long>, T> work)
    {
        if (!Enabled) return work((_, _) => { });
        return Terminal().Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ThroughputColumn(unit),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: 1);
                T result = work((done, total) =>
                {
                    if (total > 0 && task.MaxValue != total) task.MaxValue = total;
                    task.Value = done;
                });
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    /// <summary>
    /// Runs <paramref name="work"/>, which reports (phase, fraction done) as it goes, under one bar per phase: a new phase
    /// name adds a bar, and the previous bar is completed.
    /// </summary>
    public T RunPhases<T>(Func<Action<string, double>, T> work)
    {
        if (!Enabled) return work((_, _) => { });
        return Terminal().Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask? current = null;
                string? phase = null;
                T result = work((name, fraction) =>
                {
                    if (name != phase)
                    {
                        current?.Value(current.MaxValue);
                        current?.StopTask();
                        current = context.AddTask(Markup.Escape(name), autoStart: true, maxValue: 1);
                        phase = name;
                    }
                    current!.Value = Math.Clamp(fraction, 0, 1);
                });
                current?.Value(current.MaxValue);
                current?.StopTask();
                return result;
            });
    }

    // CliConsole decided already that the console is a terminal; Spectre's own detection would look at the writer only.
    private IAnsiConsole Terminal() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(console.Error), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes,
    });
}
