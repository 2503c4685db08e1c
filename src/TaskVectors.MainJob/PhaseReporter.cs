// PhaseReporter: turns "phase P is f done" into MainJobProgress with the phase's elapsed time and its time left at the
// current rate (elapsed · (1 − f) / f); a new phase name restarts the clock.
using System.Diagnostics;

namespace TaskVectors.MainJob;

internal sealed class PhaseReporter(IProgress<MainJobProgress>? progress, string row)
{
    private readonly Stopwatch _clock = new();
    private string? _phase;
    private string? _method;

    public void Report(string? method, string phase, string? task, double fraction, bool fromCache = false)
    {
        if (progress is null) return;
        if (phase != _phase || method != _method)
        {
            (_phase, _method) = (phase, method);
            _clock.Restart();
        }
        fraction = Math.Clamp(fraction, 0, 1);
        var elapsed = _clock.Elapsed;
        TimeSpan? remaining = fraction > 0 ? elapsed * ((1 - fraction) / fraction) : null;
        progress.Report(new MainJobProgress(row, method, phase, task, fraction, elapsed, remaining, fromCache));
    }
}
