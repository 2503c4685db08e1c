// Reliability tests of the safetensors reader and writer: a zero-element shape whose partial product no
// Tensor can hold is a format error naming the file; a header of a million tensors is refused with bounded
// allocations (MaxTensorCount; its time is printed, not asserted); the writer takes target names up to the
// file system's limit, refuses empty tensor names, reports denied access as IOException naming the target,
// and removes stale temporaries of the same target (left by a killed write) while leaving a live one alone;
// the directory fsync works.
using System.Diagnostics;
using System.Text;
using TaskVectors.IO;
using TaskVectors.Tensors;
using Xunit.Abstractions;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_ZeroElementShapeWithHugePartialProduct_ThrowsFormatExceptionNamingFileAndTensor()
    {
        string path = _dir.File("zero.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(
            "{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"z\":{\"dtype\":\"F32\",\"shape\":[2147483647,2,0],\"data_offsets\":[4,4]}}",
            SafetensorsBytes.Singles(1f)));
        var e = Should.Throw<SafetensorsFormatException>(() =>
        {
            using var file = SafetensorsFile.Open(path);
            file.ReadTensor("z");
        });
        e.Message.ShouldContain(path);
        e.TensorName.ShouldBe("z");
    }

    [Fact]
    public void Open_ZeroElementShapesThatFit_ReadAsEmptyTensors()
    {
        string path = _dir.File("empty.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File("{\"z\":{\"dtype\":\"F32\",\"shape\":[46340,46340,0],\"data_offsets\":[0,0]}}"));
        using var file = SafetensorsFile.Open(path);
        file.ReadTensor("z").Shape.ToArray().ShouldBe([46340, 46340, 0]);
    }

    [Fact]
    public void Open_MillionZeroSizeTensors_RefusedLeanly()
    {
        var json = new StringBuilder("{");
        for (int i = 0; i < 1_000_000; i++)
        {
            if (i > 0) json.Append(',');
            json.Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        json.Append('}');
        string path = _dir.File("many.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(json.ToString()));
        long headerBytes = new FileInfo(path).Length;
        headerBytes.ShouldBeLessThan(SafetensorsHeaderParser.MaxHeaderSize);

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Should.Throw<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        e.Message.ShouldContain(path);
        e.Message.ShouldContain(SafetensorsFile.MaxTensorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        output.WriteLine($"1,000,000-entry header ({headerBytes} bytes) refused in {clock.Elapsed.TotalMilliseconds:F0} ms, {allocated} bytes allocated.");
        // The header's bytes plus at most ~400 bytes per kept entry (before the bound, 829 MB for this file).
        allocated.ShouldBeLessThan(headerBytes + 400L * SafetensorsFile.MaxTensorCount, $"allocated {allocated} bytes in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Open_ExactlyMaxTensorCount_Opens()
    {
        var json = new StringBuilder("{");
        for (int i = 0; i < SafetensorsFile.MaxTensorCount; i++)
        {
            if (i > 0) json.Append(',');
            json.Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        json.Append('}');
        string path = _dir.File("bound.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File(json.ToString()));
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Count.ShouldBe(SafetensorsFile.MaxTensorCount);
    }

    [Fact]
    public void Write_TargetNameOf255Bytes_Succeeds()
    {
        string name = new string('n', 255 - ".safetensors".Length) + ".safetensors";
        string path = _dir.File(name);
        SafetensorsWriter.Write(path, [("w", new Tensor(2))]);
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Count.ShouldBe(1);
        Directory.GetFiles(_dir.Path).ShouldBe([path]);
    }

    [Fact]
    public void Write_EmptyTensorName_ThrowsAndCreatesNothing()
    {
        string path = _dir.File("x.safetensors");
        Should.Throw<ArgumentException>(() => SafetensorsWriter.Write(path, [("", new Tensor(1))])).Message.ShouldContain("empty");
        Directory.GetFiles(_dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Write_AccessDenied_ThrowsIOExceptionNamingTheTarget()
    {
        // As root only a pseudo file system still denies creating files; elsewhere a read-only directory does.
        string directory;
        if (OperatingSystem.IsLinux() && Environment.UserName == "root") directory = "/sys";
        else
        {
            directory = Directory.CreateDirectory(_dir.File("readonly")).FullName;
            if (OperatingSystem.IsWindows()) new DirectoryInfo(directory).Attributes |= FileAttributes.ReadOnly;
            else File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        string path = Path.Combine(directory, "denied.safetensors");
        var e = Should.Throw<IOException>(() => SafetensorsWriter.Write(path, [("w", new Tensor(1))]));
        e.Message.ShouldContain(path);
        e.InnerException.ShouldBeOfType<UnauthorizedAccessException>();
    }

    [Fact]
    public void DirectorySync_Flush_SucceedsOnLinux_AndNeverThrows()
    {
        bool flushed = DirectorySync.Flush(_dir.Path);
        if (OperatingSystem.IsLinux()) flushed.ShouldBeTrue("fsync of a directory on a Linux file system");
        DirectorySync.Flush(_dir.File("no-such-directory")).ShouldBeFalse();
    }

    [Fact]
    public void Write_StaleTemporaryOfSameTarget_Removed_OthersKept()
    {
        string path = _dir.File("t.safetensors");
        string other = _dir.File("other.safetensors");
        string stale = SafetensorsWriter.TemporaryPath(Path.GetFullPath(path));
        string otherStale = SafetensorsWriter.TemporaryPath(Path.GetFullPath(other));
        File.WriteAllBytes(stale, new byte[1 << 20]);
        File.WriteAllBytes(otherStale, new byte[16]);
        string live = SafetensorsWriter.TemporaryPath(Path.GetFullPath(path));
        using (var writer = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            SafetensorsWriter.Write(path, [("w", new Tensor(3))]);
            File.Exists(stale).ShouldBeFalse("a temporary of the same target that nobody holds is stale");
            File.Exists(live).ShouldBeTrue("a temporary held open by a writer is left alone");
        }
        File.Exists(otherStale).ShouldBeTrue("temporaries of other targets are not touched");
        using var file = SafetensorsFile.Open(path);
        file.Tensors.Count.ShouldBe(1);
    }
}
