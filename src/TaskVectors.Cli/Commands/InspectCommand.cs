// InspectCommand: `taskvectors inspect`: what a safetensors file is — its kind and format version (task vector, factors,
// checkpoint, head, merged …), the base fingerprint it records, its metadata and its tensors (name, dtype, shape) —
// and, with --fingerprint, its own fingerprint: of the model it holds (parameter order, what derived files record) when
// its metadata records the architecture, and of its float tensors in file order and in name order.
using System.CommandLine;
using System.Text;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;

namespace TaskVectors.Cli.Commands;

internal sealed class InspectCommand : ICliCommand
{
    private const int TextTensorLimit = 40;

    public int Order => 80;

    public Command Create(CliHost host)
    {
        var file = new Argument<string>("file") { Description = "Any safetensors file: a base or merged checkpoint, a task vector, a factor file, a head." };
        var all = new Option<bool>("--all") { Description = $"List every tensor (text output lists the first {TextTensorLimit})." };
        var fingerprint = new Option<bool>("--fingerprint") { Description = "Also compute the fingerprint of the file's own tensors (reads them all)." };
        var command = host.Command("inspect",
            "Show a file's kind, format version, recorded base fingerprint, metadata and tensors (dtype and shape).",
            "taskvectors inspect a.tau.safetensors",
            "taskvectors inspect base.safetensors --fingerprint --json");
        command.Add(file);
        command.Add(all);
        command.Add(fingerprint);
        host.Bind(command, run =>
        {
            string path = Files.Existing(run.Get(file), "file");
            using var f = SafetensorsFile.Open(path);
            string? kind = FileHeader.KindOf(f.Metadata);
            string? recorded = BaseCheck.Recorded(f.Metadata);
            var tensors = f.Tensors;
            long elements = tensors.Sum(t => t.ElementCount), bytes = tensors.Sum(t => t.ByteLength);
            var dtypes = tensors.GroupBy(t => t.DType.GetHeaderName()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            (string? Model, string FileOrder, string NameOrder)? own = run.Get(fingerprint) ? Own(f) : null;
            var json = new
            {
                file = path, kind = kind ?? "unmarked", formatVersion = f.Metadata.GetValueOrDefault(FileHeader.VersionKey),
                baseFingerprint = recorded, fingerprint = own is null ? null : new { model = own.Value.Model, fileOrder = own.Value.FileOrder, nameOrder = own.Value.NameOrder },
                tensorCount = tensors.Count, elements, bytes, dtypes,
                metadata = f.Metadata.Where(kv => !FileHeader.IsHeaderKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
                tensors = tensors.Select(t => new { name = t.Name, dtype = t.DType.GetHeaderName(), shape = t.Shape.ToArray() }),
            };
            var text = new StringBuilder();
            text.AppendLine($"{path}: {(kind is null ? "safetensors without a TaskVectors kind" : $"{kind} (format version {json.formatVersion ?? "?"})")}");
            text.AppendLine($"  base fingerprint: {recorded ?? "none recorded"}");
            if (own is { } o)
                text.AppendLine($"  own fingerprint:  {o.Model ?? "(no architecture recorded)"} (as a model), {o.FileOrder} (file order), {o.NameOrder} (name order)");
            text.AppendLine($"  {tensors.Count} tensors, {elements:N0} values, {bytes / 1e6:F2} MB ({string.Join(", ", dtypes.Select(d => $"{d.Value} {d.Key}"))})");
            text.AppendLine("  metadata:");
            foreach (var (key, value) in json.metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                text.AppendLine($"    {key}: {OneLine(value)}");
            text.AppendLine("  tensors:");
            int shown = run.Get(all) ? tensors.Count : Math.Min(TextTensorLimit, tensors.Count);
            foreach (var t in tensors.Take(shown)) text.AppendLine($"    {t.Name} {t.DType.GetHeaderName()} {t.ShapeText}");
            if (shown < tensors.Count) text.AppendLine($"    … {tensors.Count - shown} more (--all)");
            return new CommandOutput(json, text.ToString());
        });
        return command;
    }

    private static (string?, string, string) Own(SafetensorsFile file)
    {
        string? model = BaseResolver.ModelFingerprintOf(file.FilePath, file.Metadata);
        var parameters = file.Tensors.Where(t => t.DType.IsReadableAsSingle()).Select(t => new Parameter(t.Name, file.ReadTensor(t.Name))).ToList();
        return (model, ModelFingerprint.Compute(new ParameterList(parameters)),
            ModelFingerprint.Compute(new ParameterList([.. parameters.OrderBy(p => p.Name, StringComparer.Ordinal)])));
    }

    private static string OneLine(string value)
    {
        string line = value.Replace("\n", " ⏎ ", StringComparison.Ordinal);
        return line.Length > 160 ? line[..160] + "…" : line;
    }

    private sealed class ParameterList(IReadOnlyList<Parameter> parameters) : IParameterized
    {
        public IReadOnlyList<Parameter> Parameters => parameters;
    }
}
