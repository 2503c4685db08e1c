// FactorPrecision: the element type of the A, G and F matrices in a factor file. Sums are always
// accumulated and held in float64; Single halves the file at the cost of float32 rounding on save.
namespace TaskVectors.Curvature;

/// <summary>How <see cref="TaskFactors.Save"/> stores the factor matrices (sample counts are always F64).</summary>
public enum FactorPrecision
{
    /// <summary>F64: the in-memory float64 sums, bit for bit.</summary>
    Double,

    /// <summary>F32: each sum rounded to the nearest float32 (relative error ≤ 2⁻²⁴); half the size.</summary>
    Single,
}
