// VisionRow: the main job's vision row. The base θ0 is the committed CLIP-layout ViT pretrained on Fashion-MNIST
// (data/pretrained/vit-fashion, 28×28 grey → 64-d L2-normalized embedding); the tasks are the committed real image
// tasks of data/vision-tasks (28×28 grey, train / validation / test), disjoint from that pool. Each task's frozen head is
// a prototype head: row k = the L2-normalized mean of f(x; θ0) over the task's training images of class k, (K, 64);
// logits = s·cos(f, row). Every file is checked against its recorded SHA-256 before it is used.
using System.Security.Cryptography;
using System.Text.Json;
using TaskVectors.Building;
using TaskVectors.Data;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.MainJob.Vision;

/// <summary>Loads the vision row: the Fashion-MNIST-pretrained base ViT and its four real image tasks with prototype heads.</summary>
public static class VisionRow
{
    /// <summary>The default logit scale s of the prototype heads.</summary>
    public const float DefaultLogitScale = 30f;

    /// <summary>The split names, in the order the manifest and the IDX file names use them.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "validation", "test"];

    /// <summary>
    /// Linearized fine-tuning settings picked on the tasks' validation accuracy of plain linearized fine-tuning
    /// (see the row's note in the README); the regularized and non-linear variants reuse them.
    /// </summary>
    public static FineTuneOptions FineTuneDefaults { get; } = new()
    {
        Regime = Regime.Linearized, Steps = 200, BatchSize = 32, LearningRate = 1e-2, WarmupSteps = 20, Seed = 3,
    };

    /// <summary>The committed base weights under <paramref name="dataRoot"/> (the repository's <c>data</c> folder).</summary>
    public static string WeightsPath(string dataRoot) => Path.Combine(dataRoot, "pretrained", "vit-fashion", "model.safetensors");

    /// <summary>The committed tasks' folder under <paramref name="dataRoot"/>.</summary>
    public static string TasksPath(string dataRoot) => Path.Combine(dataRoot, "vision-tasks");

    /// <summary>The row with every committed task and the default logit scale.</summary>
    /// <exception cref="VisionRowDataException">A weights or data file is missing, damaged or inconsistent (names it).</exception>
    public static BenchmarkRow<Tensor> Load(string dataRoot) => Load(dataRoot, new VisionRowOptions());

    /// <summary>
    /// The row: θ0 loaded strictly from <see cref="WeightsPath"/> (its SHA-256 checked against <c>model.safetensors.sha256</c>,
    /// its configuration read from the file's <c>vision_config</c> metadata), and the tasks of
    /// <c>vision-tasks/tasks.json</c> (each IDX file checked against the manifest's SHA-256 and split sizes) with
    /// prototype heads computed at θ0 from their training images.
    /// </summary>
    /// <exception cref="VisionRowDataException">A weights or data file is missing, damaged or inconsistent (names it).</exception>
    /// <exception cref="ArgumentException"><see cref="VisionRowOptions.Tasks"/> names a task the manifest lacks, or twice.</exception>
    public static BenchmarkRow<Tensor> Load(string dataRoot, VisionRowOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        ArgumentNullException.ThrowIfNull(options);
        var model = LoadBase(dataRoot);
        string manifestPath = Path.Combine(TasksPath(dataRoot), "tasks.json");
        var manifest = VisionTaskManifest.Read(manifestPath);
        var chosen = Choose(manifest, options.Tasks);
        // Every file is read and checked before any embedding is computed: a bad file fails fast.
        var data = chosen.Select(entry => Splits.Select(s => LoadSplit(dataRoot, manifestPath, entry, s, model.Config)).ToArray()).ToList();
        var tasks = new List<FineTuneTask<Tensor>>(chosen.Count);
        for (int t = 0; t < chosen.Count; t++)
        {
            var splits = data[t];
            var head = PrototypeHead(model, splits[0], chosen[t].Name, options.LogitScale);
            tasks.Add(new FineTuneTask<Tensor>(chosen[t].Name, splits[0], head) { Validation = splits[1], Test = splits[2] });
        }
        return new BenchmarkRow<Tensor>("vision", model, tasks, FineTuneDefaults);
    }

    /// <summary>The committed base ViT alone (strict load, SHA-256 checked).</summary>
    /// <exception cref="VisionRowDataException">The weights, their SHA-256 file or their configuration metadata is missing or damaged.</exception>
    public static VisionTransformer LoadBase(string dataRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        string path = WeightsPath(dataRoot), shaPath = path + ".sha256";
        string expected;
        try
        {
            expected = File.ReadAllText(shaPath).Split(' ', 2)[0].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VisionRowDataException(shaPath, $"cannot read the weights' SHA-256 ({e.Message}).", e);
        }
        CheckSha256(path, expected, "the base weights");
        try
        {
            VisionTransformerConfig config;
            using (var file = SafetensorsFile.Open(path))
            {
                if (!file.Metadata.TryGetValue("vision_config", out var json))
                    throw new VisionRowDataException(path, "has no 'vision_config' metadata (the ViT's shape).");
                config = JsonSerializer.Deserialize<VisionTransformerConfig>(json, ConfigJson)
                    ?? throw new VisionRowDataException(path, "its 'vision_config' metadata is null.");
            }
            config.Validate();
            return VisionTransformer.Load(path, config);
        }
        catch (Exception e) when (e is IOException and not VisionRowDataException or JsonException or ArgumentException)
        {
            throw new VisionRowDataException(path, $"cannot load the base weights ({e.Message}).", e);
        }
    }

    /// <summary>
    /// A frozen prototype head: row k = (1/N_k)·Σ_{x of class k} f(x; θ) over <paramref name="train"/>, L2-normalized by
    /// <see cref="CosineHead"/>; shape (classes, <see cref="IEmbeddingModel{TInput}.EmbeddingDim"/>). Sums in float64.
    /// </summary>
    /// <exception cref="ArgumentException">A class has no training image, or an embedding is not finite.</exception>
    public static CosineHead PrototypeHead(IEmbeddingModel<Tensor> model, ImageData train, string name, float logitScale = DefaultLogitScale)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        int dim = model.EmbeddingDim, classes = train.Classes;
        var sums = new double[classes * dim];
        var counts = new int[classes];
        const int batchSize = 256;
        for (int start = 0; start < train.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, train.Count - start);
            var indices = Enumerable.Range(start, n).ToArray();
            var batch = train.CreateBatch(n);
            train.Fill(batch, indices);
            var embeddings = model.Forward(batch).Span;
            for (int i = 0; i < n; i++)
            {
                int label = train.Label(start + i);
                counts[label]++;
                var row = embeddings.Slice(i * dim, dim);
                for (int d = 0; d < dim; d++)
                    sums[label * dim + d] += float.IsFinite(row[d]) ? row[d]
                        : throw new ArgumentException($"The embedding of image {start + i} of '{train.Description}' is not finite.", nameof(train));
            }
        }
        var prototypes = new Tensor(classes, dim);
        var span = prototypes.Span;
        for (int k = 0; k < classes; k++)
        {
            if (counts[k] == 0) throw new ArgumentException($"Class {k} of '{train.Description}' has no training image.", nameof(train));
            for (int d = 0; d < dim; d++) span[k * dim + d] = (float)(sums[k * dim + d] / counts[k]);
        }
        return new CosineHead(name, prototypes, logitScale);
    }

    private static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static List<VisionTaskManifest> Choose(IReadOnlyList<VisionTaskManifest> manifest, IReadOnlyList<string>? names)
    {
        if (names is null) return [.. manifest];
        var chosen = new List<VisionTaskManifest>(names.Count);
        foreach (var name in names)
        {
            var entry = manifest.FirstOrDefault(t => t.Name == name)
                ?? throw new ArgumentException($"No vision task '{name}'; the manifest has {string.Join(", ", manifest.Select(t => t.Name))}.", nameof(VisionRowOptions.Tasks));
            if (chosen.Contains(entry)) throw new ArgumentException($"Vision task '{name}' is named twice.", nameof(VisionRowOptions.Tasks));
            chosen.Add(entry);
        }
        return chosen;
    }

    private static ImageData LoadSplit(string dataRoot, string manifestPath, VisionTaskManifest entry, string split, VisionTransformerConfig config)
    {
        string dir = Path.Combine(TasksPath(dataRoot), entry.Name);
        string images = $"{split}-images-idx3-ubyte.gz", labels = $"{split}-labels-idx1-ubyte.gz";
        foreach (var file in new[] { images, labels })
        {
            if (!entry.Sha256.TryGetValue(file, out var sha))
                throw new VisionRowDataException(manifestPath, $"task '{entry.Name}' records no SHA-256 for {file}.");
            CheckSha256(Path.Combine(dir, file), sha, $"task '{entry.Name}'");
        }
        ImageData data;
        try
        {
            data = IdxFile.Load(Path.Combine(dir, images), Path.Combine(dir, labels), entry.Classes.Count);
        }
        catch (DataFormatException e)
        {
            throw new VisionRowDataException(e.Path, e.Message, e);
        }
        string imagesPath = Path.Combine(dir, images);
        if (data.Count != entry.Counts[split])
            throw new VisionRowDataException(imagesPath, $"holds {data.Count} images; the manifest says {entry.Counts[split]}.");
        if (data.Images.Dim(1) != config.Channels || data.Images.Dim(2) != config.ImageSize || data.Images.Dim(3) != config.ImageSize)
            throw new VisionRowDataException(imagesPath, $"holds {data.Images.ShapeText} images; the base takes ({config.Channels}, {config.ImageSize}, {config.ImageSize}).");
        return new ImageData(data.Images, Enumerable.Range(0, data.Count).Select(data.Label).ToArray(), data.Classes, $"{entry.Name} {split}");
    }

    private static void CheckSha256(string path, string expected, string what)
    {
        string actual;
        try
        {
            using var stream = File.OpenRead(path);
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VisionRowDataException(path, $"cannot read {what} ({e.Message}).", e);
        }
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new VisionRowDataException(path, $"SHA-256 {actual} differs from the recorded {expected} ({what}: damaged or replaced).");
    }
}
