// TextTransformerConfig: the shape of a BERT-layout text encoder (Hugging Face BertConfig), with
// presets from a tiny test model up to bert-base-uncased.
namespace TaskVectors.Models;

/// <summary>
/// Hyper-parameters of a BERT encoder: word, position and token-type embeddings, <see cref="Layers"/>
/// post-LayerNorm blocks with GELU (erf) MLPs, and a tanh pooler on the first token.
/// </summary>
public sealed record TextTransformerConfig
{
    /// <summary>Vocabulary size (word_embeddings rows).</summary>
    public required int VocabSize { get; init; }

    /// <summary>Residual stream width (hidden_size).</summary>
    public required int Width { get; init; }

    /// <summary>Number of transformer blocks.</summary>
    public required int Layers { get; init; }

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public required int Heads { get; init; }

    /// <summary>MLP hidden width (intermediate_size).</summary>
    public required int MlpWidth { get; init; }

    /// <summary>Longest sequence (position_embeddings rows).</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>Token types (token_type_embeddings rows; 2 for sentence pairs).</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>LayerNorm epsilon (BERT: 1e-12).</summary>
    public float LayerNormEps { get; init; } = 1e-12f;

    /// <summary>A small model for tests and quick experiments.</summary>
    public static TextTransformerConfig Tiny { get; } = new() { VocabSize = 30522, Width = 128, Layers = 2, Heads = 2, MlpWidth = 512 };

    /// <summary>bert-base-uncased.</summary>
    public static TextTransformerConfig BertBase { get; } = new() { VocabSize = 30522, Width = 768, Layers = 12, Heads = 12, MlpWidth = 3072 };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public void Validate()
    {
        foreach (var (value, name) in new[] { (VocabSize, nameof(VocabSize)), (Width, nameof(Width)), (Layers, nameof(Layers)), (Heads, nameof(Heads)), (MlpWidth, nameof(MlpWidth)), (MaxPositions, nameof(MaxPositions)), (TypeVocabSize, nameof(TypeVocabSize)) })
            if (value <= 0) throw new ArgumentException($"{name} must be positive, not {value}.", name);
        if (Width % Heads != 0) throw new ArgumentException($"Heads {Heads} does not divide Width {Width}.", nameof(Heads));
        if (!(LayerNormEps > 0)) throw new ArgumentException($"LayerNormEps must be positive, not {LayerNormEps}.", nameof(LayerNormEps));
    }
}
