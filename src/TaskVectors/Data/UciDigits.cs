// UciDigits: reads the UCI optical-recognition digits (scikit-learn's digits.csv.gz: per line 64
// pixel values 0..16 of an 8×8 image, then the label) into images (N, 1, 8, 8) scaled to [0, 1].
using System.Globalization;
using System.IO.Compression;
using TaskVectors.Tensors;

namespace TaskVectors.Data;

/// <summary>Loader for the 8×8 UCI handwritten digits in scikit-learn's CSV layout (gzip or plain).</summary>
public static class UciDigits
{
    /// <summary>Pixels per image (8×8).</summary>
    public const int Pixels = 64;

    /// <summary>Reads every example of <paramref name="path"/>: images (N, 1, 8, 8) with pixel/16, labels 0..9.</summary>
    /// <exception cref="InvalidDataException">A line does not have 65 integer fields, a pixel is outside 0..16, or a label outside 0..9 (names the file and line).</exception>
    public static ImageData Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new StreamReader(new GZipStream(stream, CompressionMode.Decompress))
            : new StreamReader(stream);
        var pixels = new List<float>();
        var labels = new List<int>();
        int lineNumber = 0;
        string? line;
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != Pixels + 1)
                throw new InvalidDataException($"{path}:{lineNumber}: expected {Pixels + 1} comma-separated fields, found {fields.Length}.");
            for (int i = 0; i <= Pixels; i++)
            {
                if (!int.TryParse(fields[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new InvalidDataException($"{path}:{lineNumber}: field {i + 1} '{fields[i]}' is not an integer.");
                if (i < Pixels)
                {
                    if (v is < 0 or > 16) throw new InvalidDataException($"{path}:{lineNumber}: pixel {i} is {v}, outside 0..16.");
                    pixels.Add(v / 16f);
                }
                else
                {
                    if (v is < 0 or > 9) throw new InvalidDataException($"{path}:{lineNumber}: label {v} is outside 0..9.");
                    labels.Add(v);
                }
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"{path}: no examples.");
        return new ImageData(new Tensor([.. pixels], labels.Count, 1, 8, 8), [.. labels], 10, $"UCI digits ({Path.GetFileName(path)}, {labels.Count} images)");
    }
}
