// TextFileFormat: the layouts the text readers understand; NLI layouts fix their columns and label maps.
namespace TaskVectors.Data;

/// <summary>Text data file layouts.</summary>
public enum TextFileFormat
{
    /// <summary>Comma-separated with a header row, RFC 4180 quoting (quoted fields may span lines).</summary>
    Csv,

    /// <summary>Tab-separated with a header row, no quoting (GLUE style).</summary>
    Tsv,

    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>SNLI/MultiNLI JSONL: sentence1, sentence2, gold_label ∈ {entailment 0, neutral 1, contradiction 2}; "-" has no gold label.</summary>
    SnliJsonl,

    /// <summary>GLUE RTE TSV: index, sentence1, sentence2, label ∈ {entailment 0, not_entailment 1}.</summary>
    GlueRte,

    /// <summary>GLUE QNLI TSV: index, question, sentence, label ∈ {entailment 0, not_entailment 1}.</summary>
    GlueQnli,

    /// <summary>SICK TSV: pair_ID, sentence_A, sentence_B, relatedness_score, entailment_judgment ∈ {ENTAILMENT 0, NEUTRAL 1, CONTRADICTION 2}.</summary>
    Sick,
}
