// PretrainedModel: a pretrained base converted into the cache: the safetensors checkpoint (Hugging Face
// names, config in its metadata), the vocabulary file, and the model built from them.
using TaskVectors.Data;
using TaskVectors.Models;

namespace TaskVectors.Pretrained;

/// <summary>A cached, converted <see cref="PretrainedBase"/>; see <see cref="PretrainedStore.Get"/>.</summary>
public sealed class PretrainedModel
{
    internal PretrainedModel(PretrainedBase pretrained, string checkpointPath, string vocabPath, TextTransformerConfig config, bool hasPooler)
    {
        Base = pretrained;
        CheckpointPath = checkpointPath;
        VocabPath = vocabPath;
        Config = config;
        HasPooler = hasPooler;
    }

    /// <summary>The catalogue entry.</summary>
    public PretrainedBase Base { get; }

    /// <summary>The converted safetensors checkpoint (float32, BertModel names).</summary>
    public string CheckpointPath { get; }

    /// <summary>The WordPiece vocabulary, for a BERT tokenizer (lower-casing, RemoveNonSpacingMarks = true when <see cref="PretrainedBase.Uncased"/>).</summary>
    public string VocabPath { get; }

    /// <summary>
    /// The base's WordPiece tokenizer over <see cref="VocabPath"/>: lower-casing and accent stripping when
    /// <see cref="PretrainedBase.Uncased"/>, as the base was trained; pairs as [CLS] a [SEP] b [SEP].
    /// </summary>
    public TextTokenizer CreateTokenizer() => TextTokenizer.FromBertVocab(VocabPath, lowerCase: Base.Uncased);

    /// <summary>The shape read from the ONNX graph.</summary>
    public TextTransformerConfig Config { get; }

    /// <summary>Whether the checkpoint holds BERT's pooler.</summary>
    public bool HasPooler { get; }

    /// <summary>The strict-load options for <see cref="CheckpointPath"/>: exact names, "pooler." allowed to be missing only when <see cref="HasPooler"/> is false.</summary>
    public CheckpointLoadOptions LoadOptions => BertMetadata.LoadOptions(HasPooler);

    /// <summary>
    /// A new <see cref="TextTransformer"/> loaded strictly from <see cref="CheckpointPath"/>, pooling by
    /// <paramref name="pooling"/> (default: the base's own, e.g. mean for all-MiniLM-L6-v2).
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="TextPooling.Pooler"/> asked of a base without a pooler.</exception>
    public TextTransformer CreateModel(TextPooling? pooling = null, ulong dropoutSeed = 0)
    {
        var chosen = pooling ?? Base.Pooling;
        if (chosen == TextPooling.Pooler && !HasPooler)
            throw new ArgumentException($"'{Base.Name}' has no pooler; use TextPooling.Cls or TextPooling.Mean.", nameof(pooling));
        return TextTransformer.Load(CheckpointPath, Config, chosen, LoadOptions, dropoutSeed);
    }
}
