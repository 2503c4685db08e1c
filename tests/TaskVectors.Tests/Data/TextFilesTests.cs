// Tests of TextFiles on the committed fixtures of every layout (data/fixtures/text) and on malformed files,
// and of TextData's batches.
using TaskVectors.Data;

namespace TaskVectors.Tests.Data;

public sealed class TextFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Read_Csv_QuotesCommasAndNewlines()
    {
        var corpus = TextFiles.Read(Fixtures.PathOf("text", "classification.csv"), TextFileFormat.Csv);
        corpus.LabelNames.ShouldBe(["neg", "pos"]);
        corpus.Examples.Select(e => (e.First, e.Label, e.Line)).ShouldBe([
            ("The cat sat on the mat.", 1, 2), ("A dog, a cat and a mat", 0, 3), ("She said \"hello\" twice", 1, 4), ("A quoted text\nover two lines", 0, 5)]);
        corpus.IsPairs.ShouldBeFalse();
    }

    [Fact]
    public void Read_TsvIntegerLabels_KeptAsNumbers()
    {
        var corpus = TextFiles.Read(Fixtures.PathOf("text", "classification.tsv"), TextFileFormat.Tsv);
        corpus.LabelNames.ShouldBe(["0", "1", "2"]);
        corpus.Examples.Select(e => e.Label).ShouldBe([1, 0, 2]);
    }

    [Fact]
    public void Read_JsonlWithGivenLabelNames_MapsThem()
    {
        var corpus = TextFiles.Read(Fixtures.PathOf("text", "classification.jsonl"), TextFileFormat.Jsonl,
            new TextReadOptions { LabelNames = ["greetings", "animals"] });
        corpus.Examples.Select(e => (e.First, e.Label, e.Line)).ShouldBe([("the cat sat on the mat", 1, 1), ("hello world", 0, 2), ("a dog is playing", 1, 4)]);
    }

    [Theory]
    [InlineData("snli.jsonl", TextFileFormat.SnliJsonl, new[] { 0, 1, 2 }, 1)]
    [InlineData("rte.tsv", TextFileFormat.GlueRte, new[] { 0, 1 }, 0)]
    [InlineData("qnli.tsv", TextFileFormat.GlueQnli, new[] { 0, 1 }, 0)]
    [InlineData("sick.tsv", TextFileFormat.Sick, new[] { 0, 2, 1 }, 0)]
    public void Read_NliFormats_PairsWithTheirLabelMaps(string file, TextFileFormat format, int[] labels, int unlabeled)
    {
        var corpus = TextFiles.Read(Fixtures.PathOf("text", file), format);
        corpus.IsPairs.ShouldBeTrue();
        corpus.Examples.Select(e => e.Label).ShouldBe(labels);
        corpus.UnlabeledLines.ShouldBe(unlabeled);
        corpus.Examples.ShouldAllBe(e => e.First.Length > 0 && e.Second!.Length > 0);
    }

    [Fact]
    public void Read_Sick_FirstPairAndNames()
    {
        var corpus = TextFiles.Read(Fixtures.PathOf("text", "sick.tsv"), TextFileFormat.Sick);
        corpus.LabelNames.ShouldBe(["entailment", "neutral", "contradiction"]);
        corpus.Examples[0].ShouldBe(new TextExample("A cat is sitting on a mat", "An animal is sitting on a mat", 0, 2));
    }

    [Theory]
    [InlineData("bad.tsv", TextFileFormat.Tsv, "text\tlabel\nok\t1\nno label field\n", 3, "1 fields")]
    [InlineData("bad.jsonl", TextFileFormat.Jsonl, "{\"text\": \"ok\", \"label\": 1}\n{\"text\": \"broken\"\n", 2, "invalid JSON")]
    [InlineData("empty.jsonl", TextFileFormat.Jsonl, "{\"text\": \"ok\", \"label\": 1}\n{\"text\": \"  \", \"label\": 0}\n", 2, "empty text")]
    [InlineData("quote.csv", TextFileFormat.Csv, "text,label\nok,1\n\"open quote,0\n", 3, "not closed")]
    [InlineData("rte.tsv", TextFileFormat.GlueRte, "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\tmaybe\n", 3, "unknown label 'maybe'")]
    [InlineData("snli.jsonl", TextFileFormat.SnliJsonl, "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"gold_label\": \"neutral\"}\n{\"sentence1\": \"a\", \"gold_label\": \"neutral\"}\n", 2, "no 'sentence2'")]
    public void Read_MalformedLine_ThrowsNamingFileAndLineOrSkipsOnRequest(string name, TextFileFormat format, string content, int line, string message)
    {
        string path = Write(name, content);
        var error = Should.Throw<DataFormatException>(() => TextFiles.Read(path, format));
        (error.Path, error.Line).ShouldBe((path, line));
        error.Message.ShouldContain(message);
        error.Message.ShouldStartWith($"{path}:{line}:");
        var corpus = TextFiles.Read(path, format, new TextReadOptions { SkipMalformed = true });
        corpus.SkippedLines.ShouldBe(1);
        corpus.Examples.Count.ShouldBe(1);
    }

    [Fact]
    public void Read_NoExamplesOrMissingColumn_Throws()
    {
        Should.Throw<DataFormatException>(() => TextFiles.Read(Write("h.csv", "text,label\n"), TextFileFormat.Csv)).Message.ShouldContain("no example");
        Should.Throw<DataFormatException>(() => TextFiles.Read(Write("c.csv", "sentence,label\nhi,1\n"), TextFileFormat.Csv)).Message.ShouldContain("no 'text' field");
        Should.Throw<FileNotFoundException>(() => TextFiles.Read(Path.Combine(_dir, "none.csv"), TextFileFormat.Csv));
    }

    [Fact]
    public void TextData_Fill_CopiesPreTokenizedRowsWithPadding()
    {
        var tokenizer = TextTokenizer.FromBertVocab(Fixtures.PathOf("text", "bert-vocab.txt"));
        var data = new TextData(TextFiles.Read(Fixtures.PathOf("text", "rte.tsv"), TextFileFormat.GlueRte), tokenizer, maxLength: 64);
        data.Count.ShouldBe(2);
        data.Classes.ShouldBe(2);
        // "The cat sat on the mat." / "A cat was on a mat." → [CLS] the cat sat on the mat . [SEP] a cat [UNK] on a mat . [SEP]
        data.Ids(0).ToArray().ShouldBe([2, 5, 6, 7, 8, 5, 9, 10, 3, 16, 6, 1, 8, 16, 9, 10, 3]);
        var batch = data.CreateBatch(2);
        batch.SequenceLength.ShouldBe(17);
        data.Fill(batch, [1, 0]);
        batch.InputIds.AsSpan(17, 17).ToArray().ShouldBe(data.Ids(0).ToArray());
        // Row 0 holds example 1, shorter: its tail is padding with mask 0 and type 0.
        int length = data.Ids(1).Length;
        batch.AttentionMask.Span[..17].ToArray().ShouldBe(Enumerable.Range(0, 17).Select(t => t < length ? 1f : 0f).ToArray());
        batch.InputIds.AsSpan(length, 17 - length).ToArray().ShouldAllBe(id => id == tokenizer.PadId);
        data.Label(0).ShouldBe(0);
    }

    [Fact]
    public void TextData_Fill_AllocatesNothing()
    {
        var tokenizer = TextTokenizer.FromBertVocab(Fixtures.PathOf("text", "bert-vocab.txt"));
        var data = new TextData(TextFiles.Read(Fixtures.PathOf("text", "sick.tsv"), TextFileFormat.Sick), tokenizer, maxLength: 64);
        var batch = data.CreateBatch(3);
        int[] order = [2, 0, 1];
        data.Fill(batch, order);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) data.Fill(batch, order);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void TextData_LabelOutOfRange_Throws()
    {
        var tokenizer = TextTokenizer.FromBertVocab(Fixtures.PathOf("text", "bert-vocab.txt"));
        Should.Throw<ArgumentException>(() => new TextData([new TextExample("the cat", null, 3, 1)], 2, tokenizer, 8, "x")).Message.ShouldContain("line 1");
    }
}
