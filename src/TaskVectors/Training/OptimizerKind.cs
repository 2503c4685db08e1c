// OptimizerKind: which optimizer a fine-tuning run uses.
namespace TaskVectors.Training;

/// <summary>The optimizer of a fine-tuning run.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW with decoupled weight decay (the paper's choice).</summary>
    AdamW = 0,

    /// <summary>SGD with (heavy-ball) momentum and coupled weight decay.</summary>
    SgdMomentum = 1,
}
