// OpenBlasTheoryAttribute: a [Theory] that is skipped, saying why, when OpenBLAS cannot be loaded here.
using TaskVectors.Blas;

namespace TaskVectors.Tests.Blas;

public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute()
    {
        if (!OpenBlasGemm.TryLoad(out _, out string why)) Skip = $"OpenBLAS cannot be loaded ({why}); install libopenblas0-pthread.";
    }
}
