// BaseResolver: turns --base into a model. A base is named either
//   - by a checkpoint file whose metadata records its architecture (BaseArchitecture: a ViT written by `taskvectors init`,
//     a BERT encoder written by `taskvectors import`, or a merged checkpoint of either), or
//   - by a catalogue name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs), converted once into the pretrained cache.
// A BERT file's tokenizer is --vocab, else vocab.txt beside the file.
using TaskVectors.Cli.Hosting;
using TaskVectors.Cli.Inputs;
using TaskVectors.Data;
using TaskVectors.IO;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Bases;

internal static class BaseResolver
{
    public static LoadedBase Load(string source, string? vocab, CancellationToken cancellationToken)
    {
        if (File.Exists(source)) return FromFile(source, vocab);
        var pretrained = PretrainedBases.All.FirstOrDefault(b => string.Equals(b.Name, source, StringComparison.OrdinalIgnoreCase));
        if (pretrained is null)
            throw new CliException(ExitCode.MissingFile,
                $"--base '{source}' is neither a file nor a catalogue base (catalogue: {string.Join(", ", PretrainedBases.All.Select(b => b.Name))}).",
                new FileNotFoundException(source));
        var model = PretrainedStore.Get(pretrained, cancellationToken: cancellationToken);
        return Text(source, model.CheckpointPath, model.CreateModel(), model.CreateTokenizer(),
            $"{pretrained.Name} (BERT {model.Config.Width}w×{model.Config.Layers}, {BaseArchitecture.PoolingText(pretrained.Pooling)} pooling)");
    }

    private static LoadedBase FromFile(string path, string? vocab)
    {
        Dictionary<string, string> metadata;
        using (var file = SafetensorsFile.Open(path)) metadata = new(file.Metadata, StringComparer.Ordinal);
        if (metadata.GetValueOrDefault(BaseArchitecture.ArchitectureKey) == BaseArchitecture.Vit)
        {
            var config = BaseArchitecture.ReadVit(metadata, path);
            var vit = VisionTransformer.Load(path, config);
            return new LoadedBase<Tensor>
            {
                Source = path, CheckpointPath = Path.GetFullPath(path), Fingerprint = ModelFingerprint.Compute(vit), Model = vit,
                Description = $"ViT {config.Width}w×{config.Layers}, {config.ImageSize}×{config.ImageSize}×{config.Channels} images, {config.ProjectionDim}-d embeddings",
                LoadData = spec => ImageInputs.Load(spec, config),
            };
        }
        if (metadata.GetValueOrDefault("format") == BertMetadata.Format)
        {
            var (bert, config, pooling) = Bert(path, metadata);
            string vocabPath = vocab ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, PretrainedStore.VocabFileName);
            if (!File.Exists(vocabPath))
                throw new FileNotFoundException($"The BERT base '{path}' needs its tokenizer vocabulary: no '{vocabPath}'; give it with --vocab.", vocabPath);
            return Text(path, Path.GetFullPath(path), bert, TextTokenizer.FromBertVocab(vocabPath),
                $"BERT {config.Width}w×{config.Layers} ({BaseArchitecture.PoolingText(pooling)} pooling)");
        }
        throw new CliException(ExitCode.BadFile,
            $"'{path}' records no model architecture (metadata \"{BaseArchitecture.ArchitectureKey}\" or a converted BERT config): " +
            "make a base with `taskvectors init` or `taskvectors import`.");
    }

    /// <summary>The fingerprint of the BERT base in <paramref name="path"/> (no tokenizer needed).</summary>
    public static string BertFingerprint(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return ModelFingerprint.Compute(Bert(path, file.Metadata).Model);
    }

    /// <summary>
    /// The fingerprint of the model a checkpoint holds, in its parameter order (what files derived from it record), when its
    /// metadata records the architecture; null otherwise.
    /// </summary>
    public static string? ModelFingerprintOf(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.GetValueOrDefault(BaseArchitecture.ArchitectureKey) == BaseArchitecture.Vit)
            return ModelFingerprint.Compute(VisionTransformer.Load(path, BaseArchitecture.ReadVit(metadata, path)));
        return metadata.GetValueOrDefault("format") == BertMetadata.Format ? ModelFingerprint.Compute(Bert(path, metadata).Model) : null;
    }

    private static (TextTransformer Model, TextTransformerConfig Config, TextPooling Pooling) Bert(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var (config, hasPooler) = BertMetadata.Read(metadata, path);
        var pooling = BaseArchitecture.ReadPooling(metadata, path);
        return (TextTransformer.Load(path, config, pooling, BertMetadata.LoadOptions(hasPooler)), config, pooling);
    }

    private static LoadedBase<TextBatch> Text(string source, string checkpoint, TextTransformer model, TextTokenizer tokenizer, string description) => new()
    {
        Source = source, CheckpointPath = checkpoint, Fingerprint = ModelFingerprint.Compute(model), Model = model, Description = description,
        LoadData = spec => TextInputs.Load(spec, tokenizer),
        EncodeText = sentences => tokenizer.EncodeBatch(sentences, null, 128),
    };
}
