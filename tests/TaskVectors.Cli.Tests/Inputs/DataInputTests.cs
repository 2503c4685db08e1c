// DataInputTests: the data formats reach the model unchanged: the optdigits images written as float32 .npy arrays give
// the same accuracy, on the same examples, as the .csv.gz they came from; an image folder root/class/*.png is read
// with its class folders as labels; a bad class selection names its option.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;

namespace TaskVectors.Cli.Tests.Inputs;

[Collection(CliCollection.Name)]
public sealed class DataInputTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("inputs");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Eval_NpyOfOptdigits_SameAccuracyAndCountAsCsv()
    {
        var digits = UciDigits.Load(TestData.Digits);
        var batch = digits.CreateBatch(digits.Count);
        digits.Fill(batch, Enumerable.Range(0, digits.Count).ToArray());
        string images = Path.Combine(_folder, "x.npy"), labels = Path.Combine(_folder, "y.npy");
        WriteNpy(images, "<f4", [digits.Count, 8, 8], batch.Span.ToArray().SelectMany(v => BitConverter.GetBytes(v)).ToArray());
        WriteNpy(labels, "<i8", [digits.Count], Enumerable.Range(0, digits.Count).SelectMany(i => BitConverter.GetBytes((long)digits.Label(i))).ToArray());
        string[] common = ["eval", "--base", fixture.BaseA, "--head", fixture.HeadA, "--task-vector", fixture.TauA, "--classes", "0,1", "--split", "test", "--json"];
        var csv = (await CliRun.Ok([.. common, "--data", TestData.Digits])).Json();
        var npy = (await CliRun.Ok([.. common, "--data", images, "--labels", labels])).Json();
        npy.GetProperty("examples").GetInt32().ShouldBe(csv.GetProperty("examples").GetInt32());
        npy.GetProperty("accuracy").GetDouble().ShouldBe(csv.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public async Task Eval_ImageFolder_ClassFoldersAreLabels()
    {
        string root = Path.Combine(_folder, "images");
        foreach (var (name, shade) in new[] { ("dark", 40), ("light", 220) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 5; i++)
            {
                using var image = new Image<L8>(8, 8, new L8((byte)(shade + i)));
                image.SaveAsPng(Path.Combine(root, name, $"{i}.png"));
            }
        }
        var eval = (await CliRun.Ok("eval", "--base", fixture.BaseA, "--head", fixture.HeadA, "--data", root, "--json")).Json();
        eval.GetProperty("examples").GetInt32().ShouldBe(10);
        eval.GetProperty("classes").GetInt32().ShouldBe(2);
        eval.GetProperty("accuracy").GetDouble().ShouldBeInRange(0, 1);
    }

    [Fact]
    public async Task Eval_ClassOutsideLabels_ExitsUsageNamingOption()
    {
        var run = await CliRun.Start("eval", "--base", fixture.BaseA, "--head", fixture.HeadA, "--data", TestData.Digits, "--classes", "0,12");
        run.ExitCode.ShouldBe((int)ExitCode.Usage);
        run.Error.ShouldContain("--classes: class 12");
    }

    // NumPy's .npy v1.0: magic, version, little-endian header length, a Python dict padded with spaces to 64 bytes.
    private static void WriteNpy(string path, string descr, int[] shape, byte[] data)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
    }
}
