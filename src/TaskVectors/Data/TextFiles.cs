// TextFiles: reads text-classification files (CSV/TSV with a header, JSONL) and sentence-pair/NLI files (SNLI and
// MultiNLI JSONL, GLUE RTE/QNLI TSV, SICK TSV) into TextExamples with each format's label map. A malformed line
// (wrong field count, bad JSON, empty text, unknown label) throws DataFormatException naming file and line, or
// is counted and skipped when the caller asks.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TaskVectors.Data;

/// <summary>Readers for text-classification and sentence-pair data files.</summary>
public static class TextFiles
{
    private static readonly string[] NliLabels = ["entailment", "neutral", "contradiction"];
    private static readonly string[] GlueTwoWayLabels = ["entailment", "not_entailment"];

    /// <summary>Reads <paramref name="path"/> in <paramref name="format"/>; generic formats take their columns and labels from <paramref name="options"/>.</summary>
    /// <exception cref="DataFormatException">A malformed line (unless skipped), a missing column, or a file with no example.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TextCorpus Read(string path, TextFileFormat format, TextReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TextReadOptions();
        // Fixed layouts: (text, pair, label) columns, label names, case-insensitive labels (SICK is upper-case).
        var (text, pair, label, names) = format switch
        {
            TextFileFormat.SnliJsonl => ("sentence1", "sentence2", "gold_label", NliLabels),
            TextFileFormat.GlueRte => ("sentence1", "sentence2", "label", GlueTwoWayLabels),
            TextFileFormat.GlueQnli => ("question", "sentence", "label", GlueTwoWayLabels),
            TextFileFormat.Sick => ("sentence_A", "sentence_B", "entailment_judgment", NliLabels),
            _ => (options.TextColumn, options.PairColumn, options.LabelColumn, options.LabelNames?.ToArray()),
        };
        var records = format switch
        {
            TextFileFormat.Csv => Delimited(path, ',', quoted: true),
            TextFileFormat.Jsonl or TextFileFormat.SnliJsonl => JsonLines(path),
            _ => Delimited(path, '\t', quoted: false),
        };
        bool fixedLayout = format is not (TextFileFormat.Csv or TextFileFormat.Tsv or TextFileFormat.Jsonl);
        var raw = new List<(int Line, string First, string? Second, string Label)>();
        int skipped = 0, unlabeled = 0;
        foreach (var (line, fields, error) in records)
        {
            try
            {
                if (error is not null) throw new DataFormatException(path, line, error);
                string first = Field(fields!, text, path, line);
                string? second = pair is null ? null : Field(fields!, pair, path, line);
                string labelText = Field(fields!, label, path, line, allowEmpty: true).Trim();
                if (format == TextFileFormat.SnliJsonl && labelText == "-") { unlabeled++; continue; }
                if (labelText.Length == 0) throw new DataFormatException(path, line, $"empty label in column '{label}'.");
                raw.Add((line, first, second, labelText));
            }
            catch (DataFormatException) when (options.SkipMalformed)
            {
                skipped++;
            }
        }
        names ??= InferLabelNames(raw.Select(r => r.Label));
        var index = new Dictionary<string, int>(fixedLayout ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) index[names[i]] = i;
        var examples = new List<TextExample>(raw.Count);
        foreach (var (line, first, second, labelText) in raw)
        {
            if (index.TryGetValue(labelText, out int id)) examples.Add(new TextExample(first, second, id, line));
            else if (options.SkipMalformed) skipped++;
            else throw new DataFormatException(path, line, $"unknown label '{labelText}' (known: {string.Join(", ", names)}).");
        }
        if (examples.Count == 0) throw new DataFormatException(path, null, $"no example read ({skipped} malformed lines skipped, {unlabeled} without a gold label).");
        return new TextCorpus(path, examples, names, skipped, unlabeled);
    }

    // All-integer labels stay as numbers 0 … max; names are sorted ordinally.
    private static string[] InferLabelNames(IEnumerable<string> labels)
    {
        var distinct = labels.Distinct().ToArray();
        if (distinct.Length > 0 && distinct.All(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v < 100_000))
            return Enumerable.Range(0, distinct.Max(l => int.Parse(l, CultureInfo.InvariantCulture)) + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return [.. distinct.Order(StringComparer.Ordinal)];
    }

    private static string Field(IReadOnlyDictionary<string, string?> fields, string column, string path, int line, bool allowEmpty = false)
    {
        if (!fields.TryGetValue(column, out string? value) || value is null)
            throw new DataFormatException(path, line, $"no '{column}' field.");
        if (!allowEmpty && string.IsNullOrWhiteSpace(value)) throw new DataFormatException(path, line, $"empty text in '{column}'.");
        return value;
    }

    private static IEnumerable<(int Line, IReadOnlyDictionary<string, string?>? Fields, string? Error)> JsonLines(string path)
    {
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Dictionary<string, string?>? fields = null;
            string? error = null;
            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object) error = "the line is not a JSON object.";
                else
                {
                    fields = new Dictionary<string, string?>(StringComparer.Ordinal);
                    foreach (var property in document.RootElement.EnumerateObject())
                        fields[property.Name] = property.Value.ValueKind switch
                        {
                            JsonValueKind.String => property.Value.GetString(),
                            JsonValueKind.Number => property.Value.GetRawText(),
                            _ => null,
                        };
                }
            }
            catch (JsonException e)
            {
                error = $"invalid JSON ({e.Message}).";
            }
            yield return (lineNumber, fields, error);
        }
    }

    private static IEnumerable<(int Line, IReadOnlyDictionary<string, string?>? Fields, string? Error)> Delimited(string path, char separator, bool quoted)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string[]? header = null;
        int line = 1;
        while (true)
        {
            int start = line;
            var (fields, error, end) = quoted ? ReadQuotedRecord(reader, separator, ref line) : ReadPlainRecord(reader, separator, ref line);
            if (end) yield break;
            if (fields is { Count: 1 } && fields[0].Length == 0) continue; // blank line
            if (header is null)
            {
                if (error is not null) throw new DataFormatException(path, start, $"malformed header: {error}");
                header = [.. fields!.Select(f => f.Trim())];
                continue;
            }
            if (error is null && fields!.Count != header.Length) error = $"{fields.Count} fields, the header has {header.Length}.";
            if (error is not null) { yield return (start, null, error); continue; }
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++) map[header[i]] = fields![i];
            yield return (start, map, null);
        }
    }

    private static (List<string>? Fields, string? Error, bool End) ReadPlainRecord(StreamReader reader, char separator, ref int line)
    {
        string? text = reader.ReadLine();
        if (text is null) return (null, null, true);
        line++;
        return ([.. text.Split(separator)], null, false);
    }

    // RFC 4180: fields in double quotes may hold separators, newlines and doubled quotes.
    private static (List<string>? Fields, string? Error, bool End) ReadQuotedRecord(StreamReader reader, char separator, ref int line)
    {
        if (reader.Peek() < 0) return (null, null, true);
        var fields = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false, wasQuoted = false;
        string? error = null;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                if (inQuotes) error ??= "a quoted field is not closed before the end of the file.";
                break;
            }
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            if (ch == separator) { fields.Add(field.ToString()); field.Clear(); wasQuoted = false; continue; }
            if (ch == '\r') continue;
            if (ch == '\n') { line++; break; }
            if (ch == '"')
            {
                if (field.Length == 0 && !wasQuoted) { inQuotes = true; wasQuoted = true; }
                else error ??= "a quote inside an unquoted field.";
                continue;
            }
            if (wasQuoted) error ??= "text after a closing quote.";
            field.Append(ch);
        }
        fields.Add(field.ToString());
        return (fields, error, false);
    }
}
