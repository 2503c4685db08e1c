// InitCommand: `taskvectors init`: a randomly initialized CLIP-layout ViT base (as the main job's), saved with its
// architecture in the metadata so every other command can rebuild it from the file.
using System.CommandLine;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Commands;

internal sealed class InitCommand : ICliCommand
{
    public int Order => 10;

    public Command Create(CliHost host)
    {
        var output = new Option<string>("--out", "-o") { Description = "The base checkpoint to write (safetensors).", Required = true };
        var imageSize = new Option<int>("--image-size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 8 };
        var patchSize = new Option<int>("--patch-size") { Description = "Patch side in pixels.", DefaultValueFactory = _ => 2 };
        var channels = new Option<int>("--channels") { Description = "Image channels (1 gray, 3 RGB).", DefaultValueFactory = _ => 1 };
        var width = new Option<int>("--width") { Description = "Transformer width.", DefaultValueFactory = _ => 64 };
        var layers = new Option<int>("--layers") { Description = "Transformer layers.", DefaultValueFactory = _ => 2 };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => 4 };
        var mlpWidth = new Option<int>("--mlp-width") { Description = "MLP hidden width.", DefaultValueFactory = _ => 128 };
        var projection = new Option<int>("--projection-dim") { Description = "Embedding width D.", DefaultValueFactory = _ => 32 };
        var seed = new Option<ulong>("--seed") { Description = "Initialization seed.", DefaultValueFactory = _ => 0UL };
        var command = host.Command("init",
            "Create a randomly initialized ViT base (CLIP layout) and save it with its architecture in the file's metadata.",
            "taskvectors init --out base.safetensors",
            "taskvectors init --image-size 28 --patch-size 4 --width 128 --layers 4 --out mnist-base.safetensors");
        command.Add(output);
        command.Add(imageSize);
        command.Add(patchSize);
        command.Add(channels);
        command.Add(width);
        command.Add(layers);
        command.Add(heads);
        command.Add(mlpWidth);
        command.Add(projection);
        command.Add(seed);
        host.Bind(command, run =>
        {
            var config = new VisionTransformerConfig
            {
                ImageSize = run.Get(imageSize), PatchSize = run.Get(patchSize), Channels = run.Get(channels), Width = run.Get(width),
                Layers = run.Get(layers), Heads = run.Get(heads), MlpWidth = run.Get(mlpWidth), ProjectionDim = run.Get(projection),
            };
            config.Validate();
            var model = new VisionTransformer(config);
            model.Initialize(new Rng(run.Get(seed)));
            string path = Files.Output(run.Get(output));
            model.Save(path, BaseArchitecture.Write(config));
            string fingerprint = ModelFingerprint.Compute(model);
            return new CommandOutput(
                new { output = path, kind = "checkpoint", architecture = BaseArchitecture.Vit, fingerprint, parameters = model.Parameters.Sum(p => (long)p.Value.Length) },
                $"Wrote {path}: ViT {config.Width}w×{config.Layers}, {config.ImageSize}×{config.ImageSize}×{config.Channels} images, fingerprint {fingerprint[..12]}…\n");
        });
        return command;
    }
}
