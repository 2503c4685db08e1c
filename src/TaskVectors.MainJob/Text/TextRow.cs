// TextRow: the main job's text row: all-MiniLM-L6-v2 as θ0 and the six tasks of data/text-tasks (tasks.json lists
// their classes and class prompts), tokenized as [CLS] a [SEP] (pairs: [CLS] premise [SEP] hypothesis [SEP]), each
// with a frozen zero-shot head (ZeroShotHeads) built from θ0's embeddings of its class prompts.
using System.Text.Json;
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Pretrained;

namespace TaskVectors.MainJob.Text;

/// <summary>The text row of the main job (issue 19): MiniLM and six real text tasks with zero-shot heads.</summary>
public static class TextRow
{
    /// <summary>The file in the data folder that lists the tasks.</summary>
    public const string TasksFile = "tasks.json";

    /// <summary>
    /// Loads all-MiniLM-L6-v2 (<see cref="PretrainedBases.AllMiniLmL6V2"/>) and the tasks under <paramref name="dataRoot"/>
    /// (the folder holding <c>tasks.json</c>, or the repository's <c>data</c> folder above <c>text-tasks</c>). Each class's head
    /// vector is θ0's L2-normalized embedding of its prompt; the head is frozen.
    /// </summary>
    /// <exception cref="FileNotFoundException">tasks.json or a split file is missing.</exception>
    /// <exception cref="DataFormatException">A split file is malformed (the exception names the file and line).</exception>
    /// <exception cref="JsonException">tasks.json is malformed.</exception>
    public static BenchmarkRow<TextBatch> Load(string dataRoot, TextRowOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        options ??= TextRowOptions.Full;
        options.Validate();
        string folder = File.Exists(Path.Combine(dataRoot, TasksFile)) ? dataRoot : Path.Combine(dataRoot, "text-tasks");
        string listPath = Path.Combine(folder, TasksFile);
        if (!File.Exists(listPath)) throw new FileNotFoundException($"No {TasksFile} in '{dataRoot}' or its text-tasks folder.", listPath);
        var specs = JsonSerializer.Deserialize<List<TaskSpec>>(File.ReadAllText(listPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new JsonException($"{listPath} holds no task list.");

        var pretrained = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2);
        var tokenizer = pretrained.CreateTokenizer();
        var model = pretrained.CreateModel();
        var tasks = new List<FineTuneTask<TextBatch>>();
        foreach (var spec in specs)
        {
            if (spec.Name is null || spec.Classes is not { Count: > 1 } || spec.Prompts is null || spec.Prompts.Count != spec.Classes.Count)
                throw new JsonException($"{listPath}: task '{spec.Name}' needs a name, two or more classes and one prompt per class.");
            bool pair = spec.Kind == "pair";
            var read = new TextReadOptions { LabelNames = spec.Classes, TextColumn = pair ? "premise" : "text", PairColumn = pair ? "hypothesis" : null };
            TextData Split(string split, int cap)
            {
                string path = Path.Combine(folder, spec.Name, split + ".jsonl");
                var corpus = TextFiles.Read(path, TextFileFormat.Jsonl, read);
                var examples = Strided(corpus.Examples, cap);
                return new TextData(examples, spec.Classes.Count, tokenizer, options.MaxLength, $"{spec.Name} {split} ({examples.Count} examples)");
            }
            var head = ZeroShotHeads.Create(spec.Name, model, tokenizer, spec.Prompts, options.MaxLength);
            tasks.Add(new FineTuneTask<TextBatch>(spec.Name, Split("train", options.MaxTrain), head)
            {
                Validation = Split("validation", options.MaxValidation),
                Test = Split("test", options.MaxTest),
            });
        }
        return new BenchmarkRow<TextBatch>("text", model, tasks, options.FineTune);
    }

    // n examples evenly spread over the list (the files are in hash order, so every class keeps about its share).
    internal static IReadOnlyList<T> Strided<T>(IReadOnlyList<T> items, int cap)
    {
        if (items.Count <= cap) return items;
        var result = new List<T>(cap);
        for (int i = 0; i < cap; i++) result.Add(items[(int)((long)i * items.Count / cap)]);
        return result;
    }

    private sealed record TaskSpec(string? Name, string? Kind, List<string>? Classes, List<string>? Prompts);
}
