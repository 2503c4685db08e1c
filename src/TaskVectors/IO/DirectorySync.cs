// DirectorySync: fsync of a directory on Unix, so that a rename inside it (the atomic writer's last step)
// survives a power loss: the rename lives in the directory's entries, which fsync of the file does not flush.
using System.Runtime.InteropServices;

namespace TaskVectors.IO;

/// <summary>Flushes a directory's entries to disk (Linux and other Unix systems with libc; nothing elsewhere).</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: a directory opens read-only on every Unix, without O_DIRECTORY's per-arch value.

    /// <summary>
    /// fsync(open(<paramref name="directory"/>, O_RDONLY)), best effort: some file systems refuse fsync on a directory
    /// (EINVAL) or need none, and the data is already durable, so failures are ignored. Returns whether it succeeded.
    /// On Windows NTFS journals the rename itself; nothing is done.
    /// </summary>
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsBrowser()) return false;
        try
        {
            int fd = Open(directory, ReadOnly);
            if (fd < 0) return false;
            try
            {
                return Fsync(fd) == 0;
            }
            finally
            {
                _ = Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // No libc under that name (e.g. macOS names it libSystem): nothing to flush with.
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
