// PretrainedPackageNotFoundException: the NuGet package carrying a pretrained base is not on this
// machine; the message says exactly what to restore.
namespace TaskVectors.Pretrained;

/// <summary>Thrown when no folder holds the package assembly of a <see cref="PretrainedBase"/>.</summary>
public sealed class PretrainedPackageNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception for <paramref name="pretrained"/>, listing the paths looked at.</summary>
    public PretrainedPackageNotFoundException(PretrainedBase pretrained, IReadOnlyList<string> searched)
        : base($"The pretrained base '{pretrained.Name}' needs NuGet package {pretrained.PackageId} {pretrained.PackageVersion}, which is not on this machine. " +
               $"Add {pretrained.PackageDownloadItem} to an ItemGroup of your project and run 'dotnet restore' " +
               $"(or point PretrainedOptions.PackagesDirectory at a NuGet packages folder holding it). Looked for: {string.Join("; ", searched)}.",
               searched.Count > 0 ? searched[0] : null)
    {
        Base = pretrained;
        Searched = searched;
    }

    /// <summary>The base whose package is missing.</summary>
    public PretrainedBase Base { get; }

    /// <summary>The assembly paths looked for.</summary>
    public IReadOnlyList<string> Searched { get; }
}
