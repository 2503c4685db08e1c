// ImageInputs: reads image data sets for a ViT base: root/class/image folders (decoded with the base's preprocessing:
// grayscale for one channel, CLIP's otherwise, at the base's image size), IDX and npy arrays, and UCI optdigits. Arrays
// must already have the base's shape (C, H, W).
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Inputs;

internal static class ImageInputs
{
    public static ILabeledData<Tensor> Load(DataSpec spec, VisionTransformerConfig config)
    {
        var format = spec.Resolved();
        ILabeledData<Tensor> data = format switch
        {
            DataFormat.Images => ImageFolder.Load(ExistingFolder(spec.Path),
                config.Channels == 1 ? ImagePreprocessing.Gray(config.ImageSize) : ImagePreprocessing.Clip(config.ImageSize)),
            DataFormat.Optdigits => UciDigits.Load(spec.Path),
            DataFormat.Idx => IdxFile.Load(spec.Path, Labels(spec), spec.NumClasses),
            DataFormat.Npy => NpyFile.LoadImages(spec.Path, Labels(spec), spec.NumClasses),
            _ => throw new CliException(ExitCode.Usage, $"Data '{spec.Path}' is {format.ToString().ToLowerInvariant()} text; this base takes images (folders, idx, npy, optdigits)."),
        };
        var shape = data.CreateBatch(1).Shape.ToArray();
        if (shape.Length != 4 || shape[1] != config.Channels || shape[2] != config.ImageSize || shape[3] != config.ImageSize)
            throw new CliException(ExitCode.BadFile,
                $"Data '{spec.Path}' holds images of shape {Tensor.ShapeString(shape[1..])}; the base takes [{config.Channels}, {config.ImageSize}, {config.ImageSize}].");
        return DataSelection.Apply(data, spec);
    }

    private static string Labels(DataSpec spec) =>
        spec.LabelsPath ?? throw new CliException(ExitCode.Usage, $"Data '{spec.Path}' is an image array: give its labels file with --labels.");

    private static string ExistingFolder(string path) =>
        Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"No such data folder: '{path}'.");
}
