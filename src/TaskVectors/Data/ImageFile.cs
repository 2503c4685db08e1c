// ImageFile: decodes PNG, JPEG, GIF (first frame), BMP, WebP, TIFF, TGA and PBM files or streams with
// ImageSharp 2.1.13 into 8-bit RGB (H, W, 3), and through an ImagePreprocessing into float tensors (1, C, S, S).
// The header is read first (Image.Identify) and the size bounded by ImageLimits before any pixel buffer
// is allocated; every decoder failure surfaces as a DataFormatException naming the file.
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Image decoding (ImageSharp) with bounded sizes, to RGB bytes or preprocessed float tensors.</summary>
public static class ImageFile
{
    // One frame only (GIF/TIFF animations would multiply memory), one thread per image: parallelism comes
    // from decoding many images at once.
    private static readonly Configuration Decoding = CreateConfiguration();

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Gif.GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Tiff.TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.MaxDegreeOfParallelism = 1;
        return configuration;
    }

    /// <summary>Reads the width, height and format name from the header of <paramref name="path"/> without decoding pixels.</summary>
    /// <exception cref="DataFormatException">Not a recognized image, unreadable header, or larger than <paramref name="limits"/>.</exception>
    public static (int Width, int Height, string Format) Identify(string path, ImageLimits? limits = null)
    {
        var bytes = ReadBounded(path, limits ?? ImageLimits.Default);
        return Identify(bytes, path, limits ?? ImageLimits.Default);
    }

    /// <summary>Decodes and preprocesses the image file <paramref name="path"/> into a tensor (1, C, S, S).</summary>
    /// <exception cref="DataFormatException">The file is missing, not a decodable image, or exceeds <paramref name="limits"/>.</exception>
    public static Tensor Load(string path, ImagePreprocessing preprocessing, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var result = new Tensor(1, preprocessing.Channels, preprocessing.Size, preprocessing.Size);
        LoadInto(path, preprocessing, limits ?? ImageLimits.Default, result.Span);
        return result;
    }

    /// <summary>Decodes and preprocesses an image from <paramref name="stream"/> (read to its end); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The stream is not a decodable image or exceeds <paramref name="limits"/>.</exception>
    public static Tensor Load(Stream stream, string name, ImagePreprocessing preprocessing, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(preprocessing);
        limits ??= ImageLimits.Default;
        var bytes = ReadBounded(stream, name, limits);
        var (rgb, width, height) = DecodeRgb(bytes, name, limits);
        var result = new Tensor(1, preprocessing.Channels, preprocessing.Size, preprocessing.Size);
        preprocessing.Apply(rgb, width, height, result.Span);
        return result;
    }

    /// <summary>Decodes <paramref name="path"/> into 8-bit RGB pixels (H, W, 3) row-major.</summary>
    /// <exception cref="DataFormatException">The file is missing, not a decodable image, or exceeds <paramref name="limits"/>.</exception>
    public static (byte[] Rgb, int Width, int Height) DecodeRgb(string path, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        return DecodeRgb(ReadBounded(path, limits), path, limits);
    }

    internal static void LoadInto(string path, ImagePreprocessing preprocessing, ImageLimits limits, Span<float> destination)
    {
        var (rgb, width, height) = DecodeRgb(ReadBounded(path, limits), path, limits);
        preprocessing.Apply(rgb, width, height, destination);
    }

    /// <summary>Header check against <paramref name="limits"/>, then a full decode to RGB (H, W, 3).</summary>
    internal static (byte[] Rgb, int Width, int Height) DecodeRgb(byte[] bytes, string name, ImageLimits limits)
    {
        Identify(bytes, name, limits);
        try
        {
            using var image = Image.Load<Rgb24>(Decoding, bytes);
            CheckSize(image.Width, image.Height, name, limits);
            var rgb = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(rgb.AsSpan()));
            return (rgb, image.Width, image.Height);
        }
        catch (Exception e) when (e is not DataFormatException and not OperationCanceledException)
        {
            throw new DataFormatException(name, null, $"cannot decode the image ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static (int Width, int Height, string Format) Identify(byte[] bytes, string name, ImageLimits limits)
    {
        limits.Validate();
        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try
        {
            info = Image.Identify(Decoding, bytes, out format);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DataFormatException(name, null, $"cannot read the image header ({e.GetType().Name}: {e.Message}).", e);
        }
        if (info is null || format is null) throw new DataFormatException(name, null, "not a recognized image format (PNG, JPEG, GIF, BMP, WebP, TIFF, TGA, PBM).");
        CheckSize(info.Width, info.Height, name, limits);
        return (info.Width, info.Height, format.Name);
    }

    private static void CheckSize(int width, int height, string name, ImageLimits limits)
    {
        if (width <= 0 || height <= 0)
            throw new DataFormatException(name, null, $"declares an empty image ({width} × {height}).");
        if (width > limits.MaxWidth || height > limits.MaxHeight || (long)width * height > limits.MaxPixels)
            throw new DataFormatException(name, null,
                $"declares {width} × {height} pixels, over the limits ({limits.MaxWidth} × {limits.MaxHeight}, {limits.MaxPixels:N0} pixels).");
    }

    private static byte[] ReadBounded(string path, ImageLimits limits)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return ReadBounded(stream, path, limits);
        }
        catch (Exception e) when (e is IOException and not DataFormatException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, $"cannot read the file ({e.Message}).", e);
        }
    }

    private static byte[] ReadBounded(Stream stream, string name, ImageLimits limits)
    {
        limits.Validate();
        if (stream.CanSeek && stream.Length - stream.Position > limits.MaxFileBytes)
            throw new DataFormatException(name, null, $"is {stream.Length - stream.Position:N0} bytes, over the {limits.MaxFileBytes:N0}-byte limit.");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limits.MaxFileBytes)
                throw new DataFormatException(name, null, $"is over the {limits.MaxFileBytes:N0}-byte limit.");
        }
        return buffer.ToArray();
    }
}
