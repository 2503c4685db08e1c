// ThreadLimitCollection: the tests that change ParallelLoop.ThreadLimit (process-wide) to compare one thread with
// many; they run alone, so no other test's threads change under them.
namespace TaskVectors.Tests;

[CollectionDefinition(nameof(ThreadLimitCollection), DisableParallelization = true)]
public sealed class ThreadLimitCollection;
