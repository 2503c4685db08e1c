// TextBatch: B tokenized sequences of length T for a BERT-style encoder: token ids, token-type
// (segment) ids and a 1/0 attention mask, each B·T values in row-major (B, T) order.
using TaskVectors.Tensors;

namespace TaskVectors.Models;

/// <summary>
/// A batch of B sequences padded to length T. <see cref="InputIds"/>[b·T + t] is token t of sequence b;
/// <see cref="TokenTypeIds"/> marks sentence A (0) and B (1) of a pair; <see cref="AttentionMask"/> (B, T)
/// is 1 for real tokens and 0 for padding.
/// </summary>
public sealed class TextBatch : IPaddedBatch
{
    /// <summary>Creates a batch; the arrays are used as given (not copied).</summary>
    /// <exception cref="ArgumentException">An array's length is not B·T, or the mask holds a value other than 0 or 1.</exception>
    public TextBatch(int batch, int sequenceLength, int[] inputIds, int[] tokenTypeIds, Tensor attentionMask)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        int n = batch * sequenceLength;
        if (inputIds.Length != n) throw new ArgumentException($"InputIds holds {inputIds.Length} ids, not B·T = {batch}·{sequenceLength}.", nameof(inputIds));
        if (tokenTypeIds.Length != n) throw new ArgumentException($"TokenTypeIds holds {tokenTypeIds.Length} ids, not B·T = {batch}·{sequenceLength}.", nameof(tokenTypeIds));
        if (!attentionMask.HasShape(batch, sequenceLength))
            throw new ArgumentException($"AttentionMask {attentionMask.ShapeText} is not [{batch}, {sequenceLength}].", nameof(attentionMask));
        var mask = attentionMask.Span;
        for (int i = 0; i < n; i++)
            if (mask[i] is not (0f or 1f))
                throw new ArgumentException($"AttentionMask[{i / sequenceLength}, {i % sequenceLength}] is {mask[i]}; it must be 0 or 1.", nameof(attentionMask));
        Batch = batch;
        SequenceLength = sequenceLength;
        InputIds = inputIds;
        TokenTypeIds = tokenTypeIds;
        AttentionMask = attentionMask;
    }

    /// <summary>B, the number of sequences.</summary>
    public int Batch { get; }

    /// <summary>T, the padded sequence length.</summary>
    public int SequenceLength { get; }

    /// <summary>Token ids, (B, T) row-major.</summary>
    public int[] InputIds { get; }

    /// <summary>Segment ids (0 or 1), (B, T) row-major.</summary>
    public int[] TokenTypeIds { get; }

    /// <summary>1 for real tokens, 0 for padding, shape (B, T).</summary>
    public Tensor AttentionMask { get; }

    /// <inheritdoc />
    Tensor IPaddedBatch.TokenMask => AttentionMask;
}
