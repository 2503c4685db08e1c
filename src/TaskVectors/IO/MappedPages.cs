// MappedPages: hands pages of a read-only file mapping back to the kernel (Linux madvise MADV_DONTNEED) once a
// streaming reader is done with them, so a one-pass read over many mapped files keeps its resident set small.
// The data stay in the page cache; touching the range again faults it back in unchanged.
using System.Runtime.InteropServices;

namespace TaskVectors.IO;

internal static unsafe partial class MappedPages
{
    private const int MadviseDontNeed = 4;
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Drops the pages covering [start, start + length) from this process's mapping (Linux; elsewhere nothing).</summary>
    public static void Release(byte* start, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        long first = (long)start & ~(PageSize - 1);
        long end = ((long)start + length + PageSize - 1) & ~(PageSize - 1);
        _ = Madvise((nint)first, (nuint)(end - first), MadviseDontNeed); // Advice only: a failure changes nothing but memory use.
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
