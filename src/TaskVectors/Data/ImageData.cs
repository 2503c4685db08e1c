// ImageData: N images (N, C, H, W) with integer labels, held in memory.
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Images (N, C, H, W) in float32 with labels in [0, classes).</summary>
public sealed class ImageData : ILabeledData<Tensor>
{
    private readonly int[] _labels;

    /// <summary>Wraps <paramref name="images"/> (N, C, H, W) and <paramref name="labels"/> (N) without copying.</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a label is outside [0, classes) (the message names the index).</exception>
    public ImageData(Tensor images, int[] labels, int classes, string description)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Rank != 4) throw new ArgumentException($"Images must be (N, C, H, W); got {images.ShapeText}.", nameof(images));
        if (labels.Length != images.Dim(0)) throw new ArgumentException($"{labels.Length} labels for {images.Dim(0)} images.", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {classes}).", nameof(labels));
        Images = images;
        _labels = labels;
        Classes = classes;
        Description = description;
    }

    /// <summary>The images, (N, C, H, W).</summary>
    public Tensor Images { get; }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public int Classes { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public int Label(int index) => _labels[index];

    /// <inheritdoc />
    public Tensor CreateBatch(int size) => new(size, Images.Dim(1), Images.Dim(2), Images.Dim(3));

    /// <inheritdoc />
    public void Fill(Tensor batch, ReadOnlySpan<int> indices)
    {
        int stride = Images.Length / Math.Max(1, Count);
        if (batch.Length != indices.Length * stride)
            throw new ArgumentException($"Batch {batch.ShapeText} does not hold {indices.Length} images of {stride} values.", nameof(batch));
        var source = Images.Span;
        var destination = batch.Span;
        for (int i = 0; i < indices.Length; i++)
            source.Slice(indices[i] * stride, stride).CopyTo(destination.Slice(i * stride, stride));
    }

    /// <summary>
    /// A copy holding examples <paramref name="indices"/> in that order, labels mapped by <paramref name="relabel"/>
    /// into [0, <paramref name="classes"/>) — e.g. one task of a split data set.
    /// </summary>
    public ImageData Subset(IReadOnlyList<int> indices, Func<int, int> relabel, int classes, string description)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(relabel);
        var images = new Tensor(indices.Count, Images.Dim(1), Images.Dim(2), Images.Dim(3));
        if (indices.Count > 0) Fill(images, indices.ToArray());
        return new ImageData(images, indices.Select(i => relabel(_labels[i])).ToArray(), classes, description);
    }

    /// <summary>The first <paramref name="count"/> examples (a view, no copy).</summary>
    public ImageData Take(int count) => new(Images.Rows(0, count), _labels[..count], Classes, $"{Description} (first {count})");
}
