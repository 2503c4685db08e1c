// GemmWorkspace: the packed-panel buffers of ManagedGemm, one set per thread. The calling thread
// packs its op(A) block (up to McOuter×Kc floats) into PackedA, which the workers of its parallel
// loop read; each thread running a compute item packs that item's op(B) columns (up to Nb×Kc
// floats) into its own B buffer. Buffers are pinned (read through raw pointers), 64-byte aligned,
// allocated on a thread's first GEMM and grown only when a larger one comes, so repeated GEMMs
// allocate nothing. No thread ever runs items of two GEMMs at once (a GEMM started inside a
// parallel loop body runs inline), so one set per thread is never shared.
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
    private float* _packedA;
    private float* _packedB;

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>The packed-A buffer, at least <paramref name="floats"/> long.</summary>
    public float* EnsureA(long floats)
    {
        if (_a is null || _a.Length - AlignFloats < floats) _packedA = Allocate(floats, out _a);
        return _packedA;
    }

    /// <summary>The packed-B buffer, at least <paramref name="floats"/> long.</summary>
    public float* EnsureB(long floats)
    {
        if (_b is null || _b.Length - AlignFloats < floats) _packedB = Allocate(floats, out _b);
        return _packedB;
    }

    private static float* Allocate(long floats, out float[] array)
    {
        // Pinned (never moved by the GC) so pointers stay valid across calls; padded to align.
        array = GC.AllocateUninitializedArray<float>(checked((int)floats + AlignFloats), pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref array[0]);
        return (float*)((start + 63) & ~(nint)63);
    }
}
