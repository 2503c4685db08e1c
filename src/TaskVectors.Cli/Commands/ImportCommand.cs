// ImportCommand: `taskvectors import`: an ONNX BERT export → a safetensors base with Hugging Face BertModel names and
// its config in the metadata (OnnxBertImporter), plus the pooling the tool should use and the vocabulary beside it; or
// a catalogue base (all-MiniLM-L6-v2 …) copied out of the pretrained cache.
using System.CommandLine;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Models;
using TaskVectors.Pretrained;

namespace TaskVectors.Cli.Commands;

internal sealed class ImportCommand : ICliCommand
{
    public int Order => 20;

    public Command Create(CliHost host)
    {
        var source = new Argument<string>("model") { Description = "An ONNX BERT export (model.onnx), or a catalogue name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs)." };
        var output = new Option<string>("--out", "-o") { Description = "The base checkpoint to write (safetensors).", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "The model's vocab.txt, copied beside --out as vocab.txt (ONNX imports)." };
        var pooling = new Option<TextPooling>("--pooling") { Description = "How sequences become embeddings: Mean (sentence-transformers), Cls or Pooler.", DefaultValueFactory = _ => TextPooling.Mean };
        var command = host.Command("import",
            "Convert a BERT encoder exported to ONNX into a safetensors base with Hugging Face names (recovered from the graph) and its " +
            "config in the metadata; or copy a catalogue base out of the pretrained cache. The result is a --base for every other command.",
            "taskvectors import model.onnx --vocab vocab.txt --out minilm/base.safetensors",
            "taskvectors import all-MiniLM-L6-v2 --out minilm/base.safetensors");
        command.Add(source);
        command.Add(output);
        command.Add(vocab);
        command.Add(pooling);
        host.Bind(command, run =>
        {
            string model = run.Get(source);
            string path = Files.Output(run.Get(output));
            string vocabTarget = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, PretrainedStore.VocabFileName);
            string? vocabSource = run.Get(vocab);
            var metadata = new Dictionary<string, string> { [BaseArchitecture.PoolingKey] = BaseArchitecture.PoolingText(run.Get(pooling)) };
            string description;
            if (!File.Exists(model) && PretrainedBases.All.FirstOrDefault(b => string.Equals(b.Name, model, StringComparison.OrdinalIgnoreCase)) is { } pretrained)
            {
                var cached = PretrainedStore.Get(pretrained, cancellationToken: run.Cancellation);
                metadata[BaseArchitecture.PoolingKey] = BaseArchitecture.PoolingText(pretrained.Pooling);
                Checkpoint.Save(cached.CreateModel(), path, Merge(BertMetadata.Write(cached.Config, cached.HasPooler), metadata));
                vocabSource = cached.VocabPath;
                description = $"{pretrained.Name}: BERT {cached.Config.Width}w×{cached.Config.Layers}";
            }
            else
            {
                var import = OnnxBertImporter.Convert(Files.Existing(model, "model"), path, metadata);
                description = $"{model}: BERT {import.Config.Width}w×{import.Config.Layers}, {import.Recovered.Count()} names recovered from the graph";
            }
            if (vocabSource is not null && !string.Equals(Path.GetFullPath(vocabSource), vocabTarget, StringComparison.Ordinal))
            {
                string temporary = vocabTarget + ".tmp";
                File.Copy(Files.Existing(vocabSource, "--vocab"), temporary, overwrite: true);
                File.Move(temporary, vocabTarget, overwrite: true);
            }
            string fingerprint = BaseResolver.BertFingerprint(path);
            return new CommandOutput(
                new { output = path, kind = "checkpoint", architecture = BaseArchitecture.Bert, fingerprint, vocab = vocabSource is null ? null : vocabTarget },
                $"Wrote {path} ({description}), fingerprint {fingerprint[..12]}…" + (vocabSource is null ? "; no vocabulary given (--vocab)\n" : $", vocabulary {vocabTarget}\n"));
        });
        return command;
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> config, Dictionary<string, string> extra)
    {
        foreach (var (k, v) in extra) config[k] = v;
        return config;
    }
}
