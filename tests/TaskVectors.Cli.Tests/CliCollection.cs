// CliCollection: the tests that share CliFixture run one after another (the machine has few cores; runs are short).
namespace TaskVectors.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "cli";
}
