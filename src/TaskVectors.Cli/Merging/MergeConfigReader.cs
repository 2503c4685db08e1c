// MergeConfigReader: reads a merge configuration in the spirit of mergekit's YAML:
//   merge_method: ties                     # any registered method (taskvectors merge --help lists them)
//   base_model: base.safetensors           # optional when --base is given; paths are relative to the YAML file
//   parameters:                            # the method's hyperparameters, and alpha (θ = θ0 + α·τ*)
//     alpha: 1.0
//     density:                             # a value per tensor: the first matching filter wins
//       - filter: attn                     #   substring of the tensor name, or a glob with * ?
//         value: 0.3
//       - value: 0.2                       #   no filter: every other tensor
//   models:
//     - model: a.tau.safetensors
//       factors: a.kfac.safetensors        # for regmean / fisher
//       parameters:
//         weight: 0.7                      # α_t, scalar or per tensor as above
// Every error names the file and line (YAML syntax, unknown keys, non-numbers), with exit code BadConfig.
using System.Globalization;
using TaskVectors.Cli.Hosting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TaskVectors.Cli.Merging;

internal static class MergeConfigReader
{
    private static readonly string[] RootKeys = ["merge_method", "base_model", "parameters", "models", "dtype"];
    private static readonly string[] ModelKeys = ["model", "factors", "parameters"];

    public static MergeRequest Read(string path)
    {
        string text = File.ReadAllText(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliException(ExitCode.BadConfig, $"{path}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new CliException(ExitCode.BadConfig, $"{path}: a merge configuration is one YAML mapping (merge_method, base_model, parameters, models).");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var keys = Mapping(root, RootKeys, path, "the configuration");
        if (keys.TryGetValue("dtype", out var dtype) && Scalar(dtype, path, "dtype") is not ("float32" or "fp32"))
            throw Error(path, dtype, "dtype: only float32 is written.");
        var methodNode = keys.GetValueOrDefault("merge_method") ?? throw new CliException(ExitCode.BadConfig, $"{path}: 'merge_method' is missing.");
        var parameters = new Dictionary<string, FilteredValue>(StringComparer.Ordinal);
        var alpha = FilteredValue.Of(1);
        if (keys.TryGetValue("parameters", out var p))
            foreach (var (name, node) in Mapping(p, null, path, "parameters"))
            {
                if (name == "alpha") alpha = Value(node, path, "parameters.alpha");
                else if (MergeParameters.IsKnown(name)) parameters[name] = Value(node, path, $"parameters.{name}");
                else throw Error(path, node, $"unknown parameter '{name}' (known: alpha, {string.Join(", ", MergeParameters.Names)}).");
            }
        var modelsNode = keys.GetValueOrDefault("models") ?? throw new CliException(ExitCode.BadConfig, $"{path}: 'models' is missing (a list of '- model: FILE').");
        if (modelsNode is not YamlSequenceNode models || models.Children.Count == 0) throw Error(path, modelsNode, "'models' must be a non-empty list of '- model: FILE' entries.");
        var inputs = new List<MergeInput>();
        foreach (var entry in models.Children)
        {
            var m = Mapping(entry, ModelKeys, path, "a models entry");
            var model = m.GetValueOrDefault("model") ?? throw Error(path, entry, "a models entry has no 'model'.");
            var weight = FilteredValue.Of(1);
            if (m.TryGetValue("parameters", out var mp))
                foreach (var (name, node) in Mapping(mp, null, path, "model parameters"))
                    weight = name == "weight" ? Value(node, path, "weight") : throw Error(path, node, $"unknown model parameter '{name}' (known: weight).");
            inputs.Add(new MergeInput(Resolve(folder, Scalar(model, path, "model")), m.TryGetValue("factors", out var f) ? Resolve(folder, Scalar(f, path, "factors")) : null, weight));
        }
        return new MergeRequest
        {
            Method = Scalar(methodNode, path, "merge_method"), MethodSource = $"{path}:{methodNode.Start.Line}",
            Base = keys.TryGetValue("base_model", out var b) ? Resolve(folder, Scalar(b, path, "base_model")) : null,
            Inputs = inputs, Parameters = parameters, Alpha = alpha, ConfigText = text,
        };
    }

    private static Dictionary<string, YamlNode> Mapping(YamlNode node, string[]? known, string path, string what)
    {
        if (node is not YamlMappingNode mapping) throw Error(path, node, $"{what} must be a mapping of keys to values.");
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            string name = Scalar(key, path, "a key");
            if (known is not null && !known.Contains(name)) throw Error(path, key, $"unknown key '{name}' in {what} (known: {string.Join(", ", known)}).");
            if (!result.TryAdd(name, value)) throw Error(path, key, $"key '{name}' appears twice.");
        }
        return result;
    }

    // A number, or a list of {filter?, value} entries.
    private static FilteredValue Value(YamlNode node, string path, string what)
    {
        if (node is YamlScalarNode) return FilteredValue.Of(Number(node, path, what));
        if (node is not YamlSequenceNode list || list.Children.Count == 0)
            throw Error(path, node, $"{what} must be a number or a list of '- filter: NAME, value: NUMBER' entries.");
        var entries = new List<(string?, double)>();
        foreach (var item in list.Children)
        {
            var e = Mapping(item, ["filter", "value"], path, what + " entry");
            var value = e.GetValueOrDefault("value") ?? throw Error(path, item, $"{what}: an entry has no 'value'.");
            entries.Add((e.TryGetValue("filter", out var filter) ? Scalar(filter, path, "filter") : null, Number(value, path, what)));
        }
        return new FilteredValue(entries);
    }

    private static double Number(YamlNode node, string path, string what) =>
        double.TryParse(Scalar(node, path, what), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw Error(path, node, $"{what}: '{((YamlScalarNode)node).Value}' is not a finite number.");

    private static string Scalar(YamlNode node, string path, string what) =>
        node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(path, node, $"{what} must be a non-empty scalar.");

    private static string Resolve(string folder, string file) => Path.IsPathRooted(file) ? file : Path.Combine(folder, file);

    private static CliException Error(string path, YamlNode node, string message) => new(ExitCode.BadConfig, $"{path}:{node.Start.Line}: {message}");
}
