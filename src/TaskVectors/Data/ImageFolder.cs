// ImageFolder: the root/class/file layout (torchvision's ImageFolder): every subfolder of the root is a
// class (labels in ordinal order of the folder names), every file with an image extension inside it (recursively,
// sorted ordinally) an example of that class.
namespace TaskVectors.Data;

/// <summary>Builds <see cref="ImageFileData"/> from a root/class/image folder tree.</summary>
public static class ImageFolder
{
    /// <summary>The file extensions taken as images (case-insensitive).</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".tga", ".pbm", ".pgm", ".ppm"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Lists <paramref name="root"/>/CLASS/… image files. Labels follow the ordinal order of the class folder names;
    /// files are sorted by path, so the order is the same on every machine. Nothing is decoded yet.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="DataFormatException">The root has no class folders, or a class folder holds no image file.</exception>
    public static ImageFileData Load(string root, ImagePreprocessing preprocessing, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        var classes = Directory.GetDirectories(root).Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new DataFormatException(root, null, "has no class folders (expected root/CLASS/IMAGE files).");
        var paths = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classes.Length; c++)
        {
            string folder = System.IO.Path.Combine(root, classes[c]);
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f))).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new DataFormatException(folder, null, $"class folder '{classes[c]}' holds no image file ({string.Join(", ", Extensions.Order())}).");
            paths.AddRange(files);
            labels.AddRange(Enumerable.Repeat(c, files.Length));
        }
        return new ImageFileData(paths, labels, classes, preprocessing, limits, $"image folder {root} ({paths.Count} images, {classes.Length} classes)");
    }
}
