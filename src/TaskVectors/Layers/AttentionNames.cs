// AttentionNames: the Hugging Face parameter prefixes of an attention block's four projections.
// CLIP and BERT store the same math under different names, and checkpoint loading is strict.
namespace TaskVectors.Layers;

/// <summary>
/// Dotted prefixes of the query, key, value and output projections (each gets ".weight" and ".bias"),
/// plus <paramref name="Block"/>, the block's own prefix used in error messages.
/// </summary>
/// <param name="Block">The attention block's prefix, e.g. "vision_model.encoder.layers.0.self_attn".</param>
/// <param name="Query">Prefix of the query projection.</param>
/// <param name="Key">Prefix of the key projection.</param>
/// <param name="Value">Prefix of the value projection.</param>
/// <param name="Output">Prefix of the output projection.</param>
public sealed record AttentionNames(string Block, string Query, string Key, string Value, string Output)
{
    /// <summary>
    /// CLIP layout: "{prefix}.q_proj", "{prefix}.k_proj", "{prefix}.v_proj", "{prefix}.out_proj", where
    /// <paramref name="prefix"/> is the attention module, e.g. "vision_model.encoder.layers.0.self_attn".
    /// </summary>
    public static AttentionNames Clip(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return new(prefix, prefix + ".q_proj", prefix + ".k_proj", prefix + ".v_proj", prefix + ".out_proj");
    }

    /// <summary>
    /// BERT layout: "{prefix}.self.query", "{prefix}.self.key", "{prefix}.self.value", "{prefix}.output.dense",
    /// where <paramref name="prefix"/> is the attention module, e.g. "bert.encoder.layer.0.attention".
    /// </summary>
    public static AttentionNames Bert(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return new(prefix, prefix + ".self.query", prefix + ".self.key", prefix + ".self.value", prefix + ".output.dense");
    }
}
