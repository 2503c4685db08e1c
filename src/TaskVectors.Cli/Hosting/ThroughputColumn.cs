// ThroughputColumn: a Spectre.Console progress column showing units per second ("412.3 examples/s") from the task's
// own speed estimate.
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TaskVectors.Cli.Hosting;

internal sealed class ThroughputColumn(string unit) : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        double? speed = task.Speed;
        return new Text(speed is null ? $"– {unit}/s" : string.Create(CultureInfo.InvariantCulture, $"{speed.Value:F1} {unit}/s"), new Style(Color.Grey));
    }
}
