// LoadedBase: a base model θ0 as the tool resolved it — where it came from, its fingerprint, the metadata a file
// derived from it carries — with its input type hidden until a command's work is applied to it.
namespace TaskVectors.Cli.Bases;

internal abstract class LoadedBase
{
    /// <summary>The file or catalogue name the base was given as.</summary>
    public required string Source { get; init; }

    /// <summary>The checkpoint file holding θ0 (the converted cache file for a catalogue name).</summary>
    public required string CheckpointPath { get; init; }

    /// <summary>ModelFingerprint of θ0.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>A one-line description ("ViT 32w×1, 8×8×1 images", "BERT 384w×6 (mean pooling)").</summary>
    public required string Description { get; init; }

    /// <summary>Runs <paramref name="work"/> with the base's input type.</summary>
    public abstract TResult Apply<TResult>(IBaseWork<TResult> work);
}
