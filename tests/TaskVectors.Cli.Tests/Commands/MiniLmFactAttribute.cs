// MiniLmFactAttribute: a test that needs the all-MiniLM-L6-v2 package (83 MB, restored by this project's PackageDownload);
// skipped, saying why, where it is absent.
using TaskVectors.Pretrained;

namespace TaskVectors.Cli.Tests.Commands;

public sealed class MiniLmFactAttribute : FactAttribute
{
    public MiniLmFactAttribute()
    {
        if (PretrainedStore.TryFindAssembly(PretrainedBases.AllMiniLmL6V2) is null)
            Skip = $"the {PretrainedBases.AllMiniLmL6V2.PackageId} package is absent; restore it with {PretrainedBases.AllMiniLmL6V2.PackageDownloadItem}.";
    }
}
