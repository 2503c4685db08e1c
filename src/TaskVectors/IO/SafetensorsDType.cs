// SafetensorsDType: the element types a safetensors header may name ("F32", "BF16", …).
// Member order copies the reference implementation's Dtype enum, whose writer sorts by it.
namespace TaskVectors.IO;

/// <summary>
/// An element type of a safetensors tensor. The numeric order of the members is the order of the
/// reference implementation's (huggingface/safetensors) <c>Dtype</c> enum, by increasing alignment;
/// its writer lays tensors out by descending dtype, then by name. Only <see cref="F32"/>,
/// <see cref="F16"/>, <see cref="BF16"/> and <see cref="F64"/> can be read as float32 here; files
/// holding the others still open, and reading such a tensor throws <see cref="SafetensorsFormatException"/>.
/// </summary>
public enum SafetensorsDType
{
    /// <summary>"BOOL": one byte per element.</summary>
    Bool,

    /// <summary>"F4": OCP MX FP4 (E2M1), 4 bits per element.</summary>
    F4,

    /// <summary>"F6_E2M3": OCP MX FP6, 6 bits per element.</summary>
    F6E2M3,

    /// <summary>"F6_E3M2": OCP MX FP6, 6 bits per element.</summary>
    F6E3M2,

    /// <summary>"U8": unsigned 8-bit integer.</summary>
    U8,

    /// <summary>"I8": signed 8-bit integer.</summary>
    I8,

    /// <summary>"F8_E5M2": 8-bit float with 5 exponent and 2 mantissa bits.</summary>
    F8E5M2,

    /// <summary>"F8_E4M3": 8-bit float with 4 exponent and 3 mantissa bits.</summary>
    F8E4M3,

    /// <summary>"F8_E8M0": OCP MX 8-bit scale (exponent only).</summary>
    F8E8M0,

    /// <summary>"I16": signed 16-bit integer.</summary>
    I16,

    /// <summary>"U16": unsigned 16-bit integer.</summary>
    U16,

    /// <summary>"F16": IEEE 754 half precision.</summary>
    F16,

    /// <summary>"BF16": bfloat16, the upper 16 bits of a float32.</summary>
    BF16,

    /// <summary>"I32": signed 32-bit integer.</summary>
    I32,

    /// <summary>"U32": unsigned 32-bit integer.</summary>
    U32,

    /// <summary>"F32": IEEE 754 single precision.</summary>
    F32,

    /// <summary>"C64": complex number of two float32 parts.</summary>
    C64,

    /// <summary>"F64": IEEE 754 double precision.</summary>
    F64,

    /// <summary>"I64": signed 64-bit integer.</summary>
    I64,

    /// <summary>"U64": unsigned 64-bit integer.</summary>
    U64,
}
