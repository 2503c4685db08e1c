// Tests of TextTokenizer on hand-made vocabularies with hand-computed ids (data/fixtures/text): WordPiece with
// accent stripping, byte-level BPE merges, the pair template, longest-first truncation, padding and masks.
using Microsoft.ML.Tokenizers;
using TaskVectors.Data;

namespace TaskVectors.Tests.Data;

public sealed class TextTokenizerTests
{
    // bert-vocab.txt: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, the 5, cat 6, sat 7, on 8, mat 9, . 10, naive 11,
    // cafe 12, play 13, ##ing 14, ##s 15, a 16, dog 17, un 18, ##believ 19, ##able 20, ',' 21, is 22, ! 23, hello 24, world 25.
    private static TextTokenizer Bert() => TextTokenizer.FromBertVocab(Fixtures.PathOf("text", "bert-vocab.txt"));

    [Theory]
    [InlineData("The cat sat on the mat.", new[] { 5, 6, 7, 8, 5, 9, 10 })]
    [InlineData("naïve café", new[] { 11, 12 })]
    [InlineData("NAÏVE CAFÉ", new[] { 11, 12 })]
    [InlineData("Playing dogs", new[] { 13, 14, 17, 15 })]
    [InlineData("unbelievable!", new[] { 18, 19, 20, 23 })]
    [InlineData("a zebra, a dog", new[] { 16, 1, 21, 16, 17 })]
    [InlineData("", new int[0])]
    public void EncodeBert_HandComputedIds(string text, int[] expected) => Bert().Encode(text).ShouldBe(expected);

    [Fact]
    public void EncodeBert_WithoutRemovingMarks_AccentedWordsAreUnknown()
    {
        // Why FromBertVocab sets RemoveNonSpacingMarks for uncased vocabularies: without it "naïve café" is two [UNK]s.
        var plain = BertTokenizer.Create(Fixtures.PathOf("text", "bert-vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        plain.EncodeToIds("naïve café", addSpecialTokens: false).ShouldBe([1, 1]);
        Bert().Encode("naïve café").ShouldNotContain(1);
    }

    [Theory]
    [InlineData("naïve café", "naive cafe")]
    [InlineData("Ångström, Łódź, Dvořák", "Angstrom, Łodz, Dvorak")] // Ł has no decomposition (as in NFD)
    [InlineData("cafe\u0301", "cafe")]
    [InlineData("plain ascii", "plain ascii")]
    public void Fold_AccentedText_MatchesNfdWithoutMarks(string text, string expected) =>
        AccentFolding.Fold(System.Text.RegularExpressions.Regex.Unescape(text)).ShouldBe(expected);

    [Fact]
    public void EncodeBert_Cased_KeepsCaseSoUpperCaseIsUnknown()
    {
        var cased = TextTokenizer.FromBertVocab(Fixtures.PathOf("text", "bert-vocab.txt"), lowerCase: false);
        cased.Encode("The cat").ShouldBe([1, 6]);
    }

    [Fact]
    public void EncodeBatch_Pair_TemplateTypesPaddingAndMask()
    {
        var batch = Bert().EncodeBatch(["the cat sat", "hello"], ["a dog", "world!"], maxLength: 32);
        batch.Batch.ShouldBe(2);
        batch.SequenceLength.ShouldBe(8); // [CLS] the cat sat [SEP] a dog [SEP]
        batch.InputIds.ShouldBe([2, 5, 6, 7, 3, 16, 17, 3, /**/ 2, 24, 3, 25, 23, 3, 0, 0]);
        batch.TokenTypeIds.ShouldBe([0, 0, 0, 0, 0, 1, 1, 1, /**/ 0, 0, 0, 1, 1, 1, 0, 0]);
        batch.AttentionMask.Span.ToArray().ShouldBe([1, 1, 1, 1, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 1, 1, 0, 0]);
    }

    [Fact]
    public void EncodeBatch_LongPair_TruncatedLongestFirst()
    {
        // a = 7 tokens, b = 2; max 8 leaves 5: a drops to 3, b keeps 2.
        var batch = Bert().EncodeBatch(["the cat sat on the mat ."], ["a dog"], maxLength: 8);
        batch.InputIds.ShouldBe([2, 5, 6, 7, 3, 16, 17, 3]);
        batch.TokenTypeIds.ShouldBe([0, 0, 0, 0, 0, 1, 1, 1]);
    }

    [Theory]
    [InlineData(7, 2, 5, 3, 2)]
    [InlineData(4, 4, 5, 3, 2)]   // ties cut b first: (4, 3), (3, 3), (3, 2)
    [InlineData(3, 3, 5, 3, 2)]
    [InlineData(2, 9, 5, 2, 3)]
    [InlineData(1, 1, 5, 1, 1)]
    [InlineData(10, 10, 0, 0, 0)]
    public void LongestFirst_CutsTheLongerSide(int a, int b, int budget, int keepA, int keepB) =>
        TextTokenizer.LongestFirst(a, b, budget).ShouldBe((keepA, keepB));

    [Fact]
    public void EncodeBatch_SingleOverLong_TruncatedToMaxLength()
    {
        var batch = Bert().EncodeBatch([string.Join(' ', Enumerable.Repeat("cat", 1000)), ""], null, maxLength: 6);
        batch.SequenceLength.ShouldBe(6);
        batch.InputIds.ShouldBe([2, 6, 6, 6, 6, 3, /**/ 2, 3, 0, 0, 0, 0]);
        batch.TokenTypeIds.ShouldAllBe(t => t == 0);
    }

    [Fact]
    public void EncodeBatch_BadArguments_Throw()
    {
        var bert = Bert();
        Should.Throw<ArgumentException>(() => bert.EncodeBatch([], null, 8));
        Should.Throw<ArgumentException>(() => bert.EncodeBatch(["a"], ["b", "c"], 8));
        Should.Throw<ArgumentOutOfRangeException>(() => bert.EncodeBatch(["a"], ["b"], 4));
    }

    [Fact]
    public void FromBertVocab_MissingSpecialTokensOrFile_Throws()
    {
        string dir = Directory.CreateTempSubdirectory("tv-vocab-").FullName;
        try
        {
            string path = Path.Combine(dir, "vocab.txt");
            File.WriteAllLines(path, ["the", "cat"]);
            Should.Throw<Exception>(() => TextTokenizer.FromBertVocab(path).EncodeBatch(["the cat"], null, 8));
            Should.Throw<DataFormatException>(() => TextTokenizer.FromBertVocab(Path.Combine(dir, "missing.txt")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static TextTokenizer Bpe() => TextTokenizer.FromByteLevelBpe(Fixtures.PathOf("text", "bpe-vocab.json"), Fixtures.PathOf("text", "bpe-merges.txt"));

    [Theory]
    // bpe-vocab.json: <s> 0, <pad> 1, </s> 2, h 4, o 7, ! 12, hello 16, ld 20, Ġworld 21 (merges: h e, l l, he ll, hell o, Ġ w, o r, Ġw or, l d, Ġwor ld).
    [InlineData("hello world!", new[] { 16, 21, 12 })]
    [InlineData("hold", new[] { 4, 7, 20 })]
    [InlineData("hello", new[] { 16 })]
    public void EncodeBpe_HandComputedMerges(string text, int[] expected) => Bpe().Encode(text).ShouldBe(expected);

    [Fact]
    public void EncodeBatchBpe_Pair_UsesStartSeparatorAndPad()
    {
        var batch = Bpe().EncodeBatch(["hello", "hold"], ["hello world", "hello"], maxLength: 16);
        batch.InputIds.ShouldBe([0, 16, 2, 16, 21, 2, 1, /**/ 0, 4, 7, 20, 2, 16, 2]);
    }
}
