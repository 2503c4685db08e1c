// PretrainedStore: conversion once into the cache and loading from it afterwards, reconversion of a
// damaged cache entry, the SHA-256 check, and the message for a package that is not on the machine.
using TaskVectors.Pretrained;
using TaskVectors.Tests.IO;

namespace TaskVectors.Tests.Pretrained;

public sealed class PretrainedStoreTests
{
    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Get_SecondCall_LoadsFromTheCacheWithoutConverting()
    {
        using var temp = new TempDirectory();
        var options = new PretrainedOptions { CacheDirectory = temp.Path };
        var first = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, options);
        first.CheckpointPath.ShouldStartWith(temp.Path);
        var written = File.GetLastWriteTimeUtc(first.CheckpointPath);
        Directory.GetFiles(Path.GetDirectoryName(first.CheckpointPath)!).Select(Path.GetFileName).Order().ToArray().ShouldBe(["model.safetensors", "vocab.txt"], "no temporary file is left");

        var second = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, options);
        File.GetLastWriteTimeUtc(second.CheckpointPath).ShouldBe(written);
        second.Config.ShouldBe(first.Config);
        second.HasPooler.ShouldBeTrue();
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void CreateTokenizer_MiniLm_GivesBertBaseUncasedIdsWithAccentsStripped()
    {
        using var temp = new TempDirectory();
        var minilm = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, new PretrainedOptions { CacheDirectory = temp.Path });
        var batch = minilm.CreateTokenizer().EncodeBatch(["Hello world", "Naïve café"], null, maxLength: 8);
        int t = batch.SequenceLength;
        batch.InputIds.AsSpan(0, 4).ToArray().ShouldBe([101, 7592, 2088, 102]);   // bert-base-uncased's well-known ids
        batch.InputIds.AsSpan(t, t).ToArray().ShouldNotContain(100);               // no [UNK]: "naïve café" → naive cafe
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Get_TruncatedCachedCheckpoint_ConvertsAgain()
    {
        using var temp = new TempDirectory();
        var options = new PretrainedOptions { CacheDirectory = temp.Path };
        var first = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, options);
        long length = new FileInfo(first.CheckpointPath).Length;
        using (var stream = File.OpenWrite(first.CheckpointPath)) stream.SetLength(1000);

        var again = PretrainedStore.Get(PretrainedBases.AllMiniLmL6V2, options);
        new FileInfo(again.CheckpointPath).Length.ShouldBe(length);
        again.CreateModel().Parameters.Count.ShouldBe(103);
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Get_ResourceHashDiffers_ThrowsAndWritesNothing()
    {
        using var temp = new TempDirectory();
        var wrong = PretrainedBases.AllMiniLmL6V2 with { ModelSha256 = new string('0', 64) };
        var error = Should.Throw<InvalidDataException>(() => PretrainedStore.Get(wrong, new PretrainedOptions { CacheDirectory = temp.Path }));
        error.Message.ShouldContain(PretrainedBases.AllMiniLmL6V2.ModelSha256);
        Directory.Exists(PretrainedStore.CacheFolder(wrong, new PretrainedOptions { CacheDirectory = temp.Path })).ShouldBeFalse();
    }

    [Fact]
    public void Get_PackageMissing_SaysWhatToRestore()
    {
        using var temp = new TempDirectory();
        var absent = PretrainedBases.AllMiniLmL6V2 with { Name = "absent", PackageId = "TaskVectors.NoSuchPackage", PackageVersion = "1.2.3", AssemblyFile = "TaskVectors.NoSuchPackage.dll" };
        var error = Should.Throw<PretrainedPackageNotFoundException>(() =>
            PretrainedStore.Get(absent, new PretrainedOptions { CacheDirectory = temp.Path, PackagesDirectory = temp.Path }));
        error.Message.ShouldContain("<PackageDownload Include=\"TaskVectors.NoSuchPackage\" Version=\"[1.2.3]\" />");
        error.Message.ShouldContain("dotnet restore");
        error.Searched[0].ShouldBe(Path.Combine(temp.Path, "taskvectors.nosuchpackage", "1.2.3", "lib", "netstandard2.1", "TaskVectors.NoSuchPackage.dll"));
    }

    [Fact]
    public void Find_UnknownName_ListsTheCatalogue()
    {
        PretrainedBases.Find("ALL-minilm-l6-v2").ShouldBeSameAs(PretrainedBases.AllMiniLmL6V2);
        Should.Throw<ArgumentException>(() => PretrainedBases.Find("bert-large")).Message.ShouldContain("snowflake-arctic-embed-xs");
    }
}
