// GemmFlopsColumn: BenchmarkDotNet column GFLOP/s = 2·m·n·k / mean time, read from the case's Shape.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TaskVectors.Bench;

public sealed class GemmFlopsColumn : IColumn
{
    public string Id => nameof(GemmFlopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations per second, 2·m·n·k / mean, in billions";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || benchmarkCase.Parameters["Shape"] is not GemmShape shape) return "-";
        return (shape.Flops / stats.Mean).ToString("F1"); // flops per nanosecond = GFLOP/s
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
