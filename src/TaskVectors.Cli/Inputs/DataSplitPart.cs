// DataSplitPart: which part of a seeded train/validation/test split of a data file a command uses.
namespace TaskVectors.Cli.Inputs;

internal enum DataSplitPart
{
    All,
    Train,
    Validation,
    Test,
}
