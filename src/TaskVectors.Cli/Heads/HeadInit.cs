// HeadInit: how finetune makes a task's head when none is given.
namespace TaskVectors.Cli.Heads;

internal enum HeadInit
{
    /// <summary>Centered class means of the base's embeddings of the training examples (any base).</summary>
    Prototypes,

    /// <summary>Zero-shot: the base's embeddings of one class prompt per line of --prompts (text bases).</summary>
    Prompts,

    /// <summary>Seeded standard-normal class embeddings (as the main job's random-init heads).</summary>
    Random,
}
