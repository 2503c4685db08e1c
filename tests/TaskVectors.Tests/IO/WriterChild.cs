// WriterChild: the test assembly's entry point (the test host never calls it), used by KillDuringWriteTests
// as a child process: "write-until-killed KIND PATH" writes generation 1 of a file of that kind, then starts
// generation 2 and, once its first tensor is written, prints "mid-write" and waits to be killed. Write and
// Verify make and check each generation in the parent too.
using TaskVectors.Models;
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Tensors;
using TaskVectors.Tests.Curvature;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.IO;

internal static class WriterChild
{
    public const string Verb = "write-until-killed";
    public const string MidWrite = "mid-write";
    public const string Safetensors = "safetensors";
    public const string TaskVector = "task-vector";
    public const string Factors = "factors";
    public const string Checkpoint = "checkpoint";

    public static int Main(string[] args)
    {
        if (args.Length != 3 || args[0] != Verb)
        {
            Console.Error.WriteLine($"usage: {Verb} KIND PATH (run by KillDuringWriteTests)");
            return 2;
        }
        Write(args[1], args[2], generation: 1);
        SafetensorsWriter.AfterTensorForTesting = _ =>
        {
            Console.WriteLine(MidWrite);
            Thread.Sleep(Timeout.Infinite);
        };
        Write(args[1], args[2], generation: 2);
        return 1; // Not reached: the parent kills the process mid-write.
    }

    // Generation g: big enough that the temporary is preallocated well beyond the first tensor.
    private static Tensor Filled(int generation, params int[] shape)
    {
        var t = new Tensor(shape);
        t.Span.Fill(generation);
        return t;
    }

    public static void Write(string kind, string path, int generation)
    {
        switch (kind)
        {
            case Safetensors:
                SafetensorsWriter.Write(path, [("a", Filled(generation, 256, 256)), ("b", Filled(generation, 512, 256))],
                    new Dictionary<string, string> { ["generation"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                break;
            case TaskVector:
                new TaskVectors.Models.TaskVector(new Dictionary<string, Tensor> { ["a.weight"] = Filled(generation, 300, 200), ["b.weight"] = Filled(generation, 400, 200) },
                    new Dictionary<string, string> { ["generation"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Save(path);
                break;
            case Factors:
                SyntheticFactors.Random((ulong)generation, generation).Save(path);
                break;
            case Checkpoint:
                using (var cts = new CancellationTokenSource())
                {
                    var progress = new SynchronousProgress<FineTuneProgress>(p =>
                    {
                        if (p.Step == generation) cts.Cancel();
                    });
                    try
                    {
                        new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), CheckpointOptions(path)).Run(FineTuneFixture.Data(), progress, cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                break;
            default:
                throw new ArgumentException($"Unknown writer kind '{kind}'.", nameof(kind));
        }
    }

    private static FineTuneOptions CheckpointOptions(string path) => new()
    {
        Regime = Regime.NonLinear, Steps = 3, BatchSize = 8, WarmupSteps = 0, LearningRate = 1e-2, CheckpointPath = path, CheckpointEvery = 1,
    };

    public static void Verify(string kind, string path, int generation)
    {
        switch (kind)
        {
            case Safetensors:
            {
                using var file = SafetensorsFile.Open(path);
                file.Metadata["generation"].ShouldBe(generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
                file.ReadTensor("b").Span.ToArray().ShouldAllBe(v => v == generation);
                break;
            }
            case TaskVector:
            {
                var tau = TaskVectors.Models.TaskVector.Load(path);
                tau.Metadata["generation"].ShouldBe(generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
                tau.Tensors["b.weight"].Span.ToArray().ShouldAllBe(v => v == generation);
                break;
            }
            case Factors:
                TaskFactors.Load(path).Count.ShouldBe(generation);
                break;
            case Checkpoint:
            {
                using (var file = SafetensorsFile.Open(path))
                    file.Metadata["step"].ShouldBe(generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
                // A copy of the checkpoint resumes and finishes the run (the original stays as it is).
                var copy = Directory.CreateTempSubdirectory("tv-verify-");
                try
                {
                    string resumed = Path.Combine(copy.FullName, "copy.safetensors");
                    File.Copy(path, resumed);
                    var tau = new FineTuner<Tensor>(FineTuneFixture.Vit(), FineTuneFixture.Head(), CheckpointOptions(resumed)).Run(FineTuneFixture.Data());
                    tau.Tensors.Values.All(t => TensorMath.AllFinite(t.Span)).ShouldBeTrue();
                }
                finally
                {
                    copy.Delete(recursive: true);
                }
                break;
            }
            default:
                throw new ArgumentException($"Unknown writer kind '{kind}'.", nameof(kind));
        }
    }
}
