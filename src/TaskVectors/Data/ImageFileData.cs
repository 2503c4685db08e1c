// ImageFileData: N labeled image files decoded on demand — Fill decodes and preprocesses the requested
// files in parallel straight into the batch (B, C, S, S) — or all at once into memory (Materialize).
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Labeled image files decoded with ImageSharp when a batch is filled (see <see cref="BatchPrefetcher{TInput}"/> to decode ahead).</summary>
public sealed class ImageFileData : ILabeledData<Tensor>
{
    private readonly string[] _paths;
    private readonly int[] _labels;

    /// <summary>Creates the set from file <paramref name="paths"/> and their <paramref name="labels"/> in [0, classNames.Count).</summary>
    /// <exception cref="ArgumentException">Lengths differ or a label is outside [0, classes).</exception>
    public ImageFileData(IReadOnlyList<string> paths, IReadOnlyList<int> labels, IReadOnlyList<string> classNames, ImagePreprocessing preprocessing,
        ImageLimits? limits = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (paths.Count != labels.Count) throw new ArgumentException($"{labels.Count} labels for {paths.Count} files.", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfZero(classNames.Count, nameof(classNames));
        for (int i = 0; i < labels.Count; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of {paths[i]} is outside [0, {classNames.Count}).", nameof(labels));
        _paths = [.. paths];
        _labels = [.. labels];
        ClassNames = [.. classNames];
        Preprocessing = preprocessing;
        Limits = limits ?? ImageLimits.Default;
        Limits.Validate();
        Description = description ?? $"{_paths.Length} image files, {ClassNames.Count} classes";
    }

    /// <summary>Class names, index = label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The preprocessing every image goes through.</summary>
    public ImagePreprocessing Preprocessing { get; }

    /// <summary>Size bounds checked on each header before decoding.</summary>
    public ImageLimits Limits { get; }

    /// <summary>Largest number of images decoded at once by <see cref="Fill"/> (default: processor count).</summary>
    public int DecodeThreads { get; init; } = Environment.ProcessorCount;

    /// <inheritdoc />
    public int Count => _paths.Length;

    /// <inheritdoc />
    public int Classes => ClassNames.Count;

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The file of example <paramref name="index"/>.</summary>
    public string Path(int index) => _paths[index];

    /// <inheritdoc />
    public int Label(int index) => _labels[index];

    /// <inheritdoc />
    public Tensor CreateBatch(int size) => new(size, Preprocessing.Channels, Preprocessing.Size, Preprocessing.Size);

    /// <inheritdoc />
    /// <exception cref="DataFormatException">A file is missing, does not decode or exceeds <see cref="Limits"/>.</exception>
    public void Fill(Tensor batch, ReadOnlySpan<int> indices)
    {
        int stride = Preprocessing.ValuesPerImage;
        if (batch.Length != indices.Length * stride)
            throw new ArgumentException($"Batch {batch.ShapeText} does not hold {indices.Length} images of {stride} values.", nameof(batch));
        var ids = indices.ToArray();
        var memory = batch.Memory;
        var errors = new Exception?[ids.Length];
        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, DecodeThreads) }, i =>
        {
            try { ImageFile.LoadInto(_paths[ids[i]], Preprocessing, Limits, memory.Span.Slice(i * stride, stride)); }
            catch (Exception e) { errors[i] = e; }
        });
        // The first failing example in batch order, whatever the thread timing, and unwrapped.
        if (Array.Find(errors, e => e is not null) is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Decodes every image (in parallel) into an in-memory <see cref="ImageData"/> (N, C, S, S).</summary>
    /// <exception cref="DataFormatException">A file is missing, does not decode or exceeds <see cref="Limits"/>.</exception>
    public ImageData Materialize()
    {
        var images = CreateBatch(Count);
        var all = new int[Count];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        Fill(images, all);
        return new ImageData(images, [.. _labels], Classes, Description);
    }

    /// <summary>The examples <paramref name="indices"/> in that order (e.g. one part of a <see cref="DataSplit"/>).</summary>
    public ImageFileData Subset(IReadOnlyList<int> indices, string? description = null) =>
        new(indices.Select(i => _paths[i]).ToArray(), indices.Select(i => _labels[i]).ToArray(), ClassNames, Preprocessing, Limits,
            description ?? $"{Description} (subset of {indices.Count})") { DecodeThreads = DecodeThreads };
}
