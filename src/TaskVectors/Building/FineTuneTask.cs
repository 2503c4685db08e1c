// FineTuneTask: one task of a plan: its name, training data, frozen cosine head, optional validation/test splits
// and optional fine-tuning settings (the plan's defaults when null). Every setting is checked where it is set.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Training;

namespace TaskVectors.Building;

/// <summary>
/// One task to fine-tune into a task vector τ_t. <see cref="Validation"/> picks α when a merge searches it;
/// <see cref="Test"/> is what <c>Evaluate</c> reports. Labels of every split lie in [0, head classes).
/// </summary>
/// <typeparam name="TInput">The model's batch type.</typeparam>
public sealed record FineTuneTask<TInput>
{
    private readonly string _name = "";
    private readonly ILabeledData<TInput> _train = null!;
    private readonly CosineHead _head = null!;
    private readonly ILabeledData<TInput>? _validation, _test;
    private readonly FineTuneOptions? _options;

    /// <summary>A task with its required parts; the optional ones are set with <c>with</c> or the initializers.</summary>
    /// <exception cref="ArgumentException">The name is empty, the data set is empty, or the head's classes differ from the data's.</exception>
    public FineTuneTask(string name, ILabeledData<TInput> train, CosineHead head)
    {
        Name = name;
        Head = head;
        Train = train;
    }

    /// <summary>The task's name: unique in a plan, used in progress reports, file names and the evaluation table.</summary>
    public string Name
    {
        get => _name;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Name));
            _name = value;
        }
    }

    /// <summary>The frozen cosine head (class embeddings never change).</summary>
    public CosineHead Head
    {
        get => _head;
        init => _head = value ?? throw new ArgumentNullException(nameof(Head));
    }

    /// <summary>Training examples: fine-tuning and, for the KFAC regularizers, the task's curvature factors (labels unused there).</summary>
    public ILabeledData<TInput> Train
    {
        get => _train;
        init => _train = Check(value, nameof(Train)) ?? throw new ArgumentNullException(nameof(Train));
    }

    /// <summary>Validation examples (α search, negation's α); null: none.</summary>
    public ILabeledData<TInput>? Validation
    {
        get => _validation;
        init => _validation = Check(value, nameof(Validation));
    }

    /// <summary>Test examples (the evaluation table); null: none.</summary>
    public ILabeledData<TInput>? Test
    {
        get => _test;
        init => _test = Check(value, nameof(Test));
    }

    /// <summary>This task's fine-tuning settings; null: the plan's (<c>WithFineTuneOptions</c>, else <see cref="FineTuneOptions"/>' defaults).</summary>
    /// <exception cref="ArgumentException">A setting is invalid (<see cref="FineTuneOptions.Validate"/>), or it carries regularizers (the plan sets those).</exception>
    public FineTuneOptions? Options
    {
        get => _options;
        init => _options = value is null ? null : PlanChecks.FineTune(value, nameof(Options));
    }

    private ILabeledData<TInput>? Check(ILabeledData<TInput>? data, string name)
    {
        if (data is null) return null;
        if (data.Count == 0) throw new ArgumentException($"The {name.ToLowerInvariant()} data '{data.Description}' of task '{_name}' is empty.", name);
        if (_head is not null && data.Classes > _head.Classes)
            throw new ArgumentException($"The {name.ToLowerInvariant()} data '{data.Description}' of task '{_name}' has {data.Classes} classes; the head '{_head.Name}' has {_head.Classes}.", name);
        return data;
    }
}
