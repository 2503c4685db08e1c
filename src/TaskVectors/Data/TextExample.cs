// TextExample: one labeled text — a sentence, or a (premise, hypothesis) pair — with its label index.
namespace TaskVectors.Data;

/// <summary>A labeled sentence (<see cref="Second"/> null) or sentence pair, read from line <see cref="Line"/> of its file.</summary>
public sealed record TextExample(string First, string? Second, int Label, int Line);
