// GemmWorkspace: the packed-panel buffers of ManagedGemm, one pair per calling thread. A GEMM packs
// its op(A) block (up to McOuter×Kc floats) and op(B) block (up to Nc×Kc floats) here; the workers of
// its parallel loops read them through raw pointers, so the arrays are pinned and 64-byte aligned.
// They are allocated on a thread's first GEMM and grown only when a larger one comes, so repeated
// GEMMs allocate nothing; a GEMM nested inside a parallel loop body uses its own thread's pair.
using System.Runtime.CompilerServices;

namespace TaskVectors.Blas;

/// <summary>Per-thread, grow-only, pinned buffers for packed GEMM panels.</summary>
internal sealed unsafe class GemmWorkspace
{
    private const int AlignFloats = 16;

    [ThreadStatic]
    private static GemmWorkspace? t_current;

    private float[]? _a;
    private float[]? _b;

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>Start of the packed A block (valid after <see cref="Ensure"/>).</summary>
    public float* PackedA { get; private set; }

    /// <summary>Start of the packed B block (valid after <see cref="Ensure"/>).</summary>
    public float* PackedB { get; private set; }

    /// <summary>Makes room for at least the given numbers of floats, keeping larger buffers.</summary>
    public void Ensure(long aFloats, long bFloats)
    {
        if (_a is null || _a.Length - AlignFloats < aFloats) PackedA = Allocate(aFloats, out _a);
        if (_b is null || _b.Length - AlignFloats < bFloats) PackedB = Allocate(bFloats, out _b);
    }

    private static float* Allocate(long floats, out float[] array)
    {
        // Pinned (never moved by the GC) so pointers stay valid across calls; padded to align.
        array = GC.AllocateUninitializedArray<float>(checked((int)floats + AlignFloats), pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref array[0]);
        return (float*)((start + 63) & ~(nint)63);
    }
}
