// ILoopBody: the body of an allocation-free parallel loop, implemented by small structs that hold
// arrays or tensors (not spans) and compute iteration `index` into outputs no other index touches.
namespace TaskVectors.Threading;

/// <summary>One iteration of a <see cref="ParallelLoop"/>; implement on a struct.</summary>
internal interface ILoopBody
{
    /// <summary>Runs iteration <paramref name="index"/>. Iterations must write disjoint outputs.</summary>
    void Invoke(int index);
}
