// OptimizerState: the bookkeeping AdamW and SgdMomentum share. It fixes the slot list (names, shapes,
// order), holds the per-slot state tensors of each kind (AdamW: m and v; SGD: momentum_buffer), splits
// all slots into fixed chunks of ChunkLength elements (the parallel work items: a chunk's result never
// depends on which thread runs it), and exports/imports the state under "{prefix}{kind}.{slot name}".
using System.Globalization;
using TaskVectors.Tensors;

namespace TaskVectors.Training;

/// <summary>Slot list, per-slot state tensors, chunk table and checkpoint keys of one optimizer.</summary>
internal sealed class OptimizerState
{
    /// <summary>Elements per parallel work item: large enough to amortize a hand-off, a multiple of 8.</summary>
    internal const int ChunkLength = 16384;

    private readonly string _prefix;
    private readonly string[] _kinds;
    private string[] _names = [];
    private int[][] _shapes = [];

    // Imported before the slot list was known: [kind] name → tensor (own copies), checked at Bind.
    private Dictionary<string, Tensor>[]? _pending;

    /// <summary>State of an optimizer whose keys start with <paramref name="prefix"/> ("adamw.") and which keeps one tensor per slot of each of <paramref name="kinds"/>.</summary>
    public OptimizerState(string prefix, params string[] kinds)
    {
        _prefix = prefix;
        _kinds = kinds;
        Buffers = new Tensor[kinds.Length][];
        for (int k = 0; k < kinds.Length; k++) Buffers[k] = [];
    }

    /// <summary>The kinds whose every entry must be ≥ 0 on import (AdamW's v, a running mean of g²).</summary>
    public string[] NonNegativeKinds { get; init; } = [];

    /// <summary>Whether the slot list is fixed.</summary>
    public bool IsBound { get; private set; }

    /// <summary>θ of slot i for the current step.</summary>
    public Tensor[] Values { get; private set; } = [];

    /// <summary>∂L/∂θ of slot i for the current step.</summary>
    public Tensor[] Grads { get; private set; } = [];

    /// <summary>Buffers[kind][slot]: the state tensors, each of its slot's shape.</summary>
    public Tensor[][] Buffers { get; }

    /// <summary>Number of chunks over all slots.</summary>
    public int ChunkCount { get; private set; }

    /// <summary>Slot of chunk c.</summary>
    public int[] ChunkSlot { get; private set; } = [];

    /// <summary>First element of chunk c within its slot.</summary>
    public int[] ChunkStart { get; private set; } = [];

    /// <summary>Element count of chunk c.</summary>
    public int[] ChunkSize { get; private set; } = [];

    /// <summary>
    /// Fixes the slot list on the first call (allocating zero state, or adopting imported state after checking
    /// it fits); on later calls checks that the list is the same and takes the slots' current tensors.
    /// Allocates nothing after the first call.
    /// </summary>
    public void Bind(IReadOnlyList<OptimizerSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (IsBound)
        {
            Refresh(slots);
            return;
        }

        int n = slots.Count;
        var names = new string[n];
        var shapes = new int[n][];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            var slot = slots[i] ?? throw new ArgumentException($"Slot {i} is null.", nameof(slots));
            if (!seen.Add(slot.Name)) throw new ArgumentException($"Two slots are named '{slot.Name}'; optimizer state is keyed by slot name.", nameof(slots));
            names[i] = slot.Name;
            shapes[i] = slot.Value.Shape.ToArray();
        }
        if (_pending is not null && FindMismatch(_pending, names, shapes) is { } error)
            throw new ArgumentException($"The imported optimizer state does not fit the slots: {error}", nameof(slots));

        for (int k = 0; k < _kinds.Length; k++)
        {
            var buffers = new Tensor[n];
            for (int i = 0; i < n; i++)
                buffers[i] = _pending is not null && _pending[k].TryGetValue(names[i], out var t) ? t : new Tensor(shapes[i]);
            Buffers[k] = buffers;
        }
        BuildChunks(slots);
        _names = names;
        _shapes = shapes;
        Values = new Tensor[n];
        Grads = new Tensor[n];
        _pending = null;
        IsBound = true;
        Refresh(slots);
    }

    private void Refresh(IReadOnlyList<OptimizerSlot> slots)
    {
        if (slots.Count != _names.Length)
            throw new ArgumentException($"The optimizer was set up for {_names.Length} slots but got {slots.Count}; the slot list must stay the same across steps.", nameof(slots));
        for (int i = 0; i < _names.Length; i++)
        {
            var slot = slots[i];
            if (slot is null || !string.Equals(slot.Name, _names[i], StringComparison.Ordinal) || !slot.Value.HasShape(_shapes[i]))
                throw new ArgumentException(
                    $"Slot {i} is {(slot is null ? "null" : $"'{slot.Name}' {slot.Value.ShapeText}")} but the optimizer was set up with " +
                    $"'{_names[i]}' {Tensor.ShapeString(_shapes[i])}; the slot list must stay the same across steps.", nameof(slots));
            Values[i] = slot.Value;
            Grads[i] = slot.Grad;
        }
    }

    private void BuildChunks(IReadOnlyList<OptimizerSlot> slots)
    {
        int count = 0;
        for (int i = 0; i < slots.Count; i++) count += ChunksOf(slots[i].Value.Length);
        var slotOf = new int[count];
        var start = new int[count];
        var size = new int[count];
        int c = 0;
        for (int i = 0; i < slots.Count; i++)
        {
            int length = slots[i].Value.Length;
            for (int s = 0; s < length; s += ChunkLength, c++)
            {
                slotOf[c] = i;
                start[c] = s;
                size[c] = Math.Min(ChunkLength, length - s);
            }
        }
        ChunkSlot = slotOf;
        ChunkStart = start;
        ChunkSize = size;
        ChunkCount = count;
    }

    /// <summary>Number of chunks of a slot of <paramref name="length"/> elements.</summary>
    internal static int ChunksOf(int length) => (length + ChunkLength - 1) / ChunkLength;

    /// <summary>The checkpoint key of a state tensor: "{prefix}{kind}.{slot name}".</summary>
    public string Key(int kind, string name) => _prefix + _kinds[kind] + "." + name;

    /// <summary>Writes scalar "{prefix}{name}" with round-trip precision.</summary>
    public void WriteScalar(IDictionary<string, string> scalars, string name, double value) =>
        scalars[_prefix + name] = value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes scalar "{prefix}{name}" as "true" or "false".</summary>
    public void WriteScalar(IDictionary<string, string> scalars, string name, bool value) =>
        scalars[_prefix + name] = value ? "true" : "false";

    /// <summary>
    /// Checks that scalar "{prefix}{name}", when present, equals this optimizer's hyperparameter
    /// <paramref name="expected"/>: resuming with another value would not continue the same run.
    /// </summary>
    public void CheckScalar(IReadOnlyDictionary<string, string> scalars, string name, double expected)
    {
        string key = _prefix + name;
        if (!scalars.TryGetValue(key, out var text)) return;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new ArgumentException($"Optimizer scalar '{key}' = '{text}' is not a number.", nameof(scalars));
        if (!value.Equals(expected))
            throw new ArgumentException(
                $"The optimizer state was written with {key} = {text} but this optimizer has {expected.ToString("R", CultureInfo.InvariantCulture)}; " +
                "resuming with other hyperparameters would not continue the same run.", nameof(scalars));
    }

    /// <summary>Like <see cref="CheckScalar(IReadOnlyDictionary{string, string}, string, double)"/> for a flag written as "true"/"false".</summary>
    public void CheckScalar(IReadOnlyDictionary<string, string> scalars, string name, bool expected)
    {
        string key = _prefix + name;
        if (!scalars.TryGetValue(key, out var text)) return;
        if (!bool.TryParse(text, out bool value))
            throw new ArgumentException($"Optimizer scalar '{key}' = '{text}' is not 'true' or 'false'.", nameof(scalars));
        if (value != expected)
            throw new ArgumentException(
                $"The optimizer state was written with {key} = {text} but this optimizer has {(expected ? "true" : "false")}; " +
                "resuming with other hyperparameters would not continue the same run.", nameof(scalars));
    }

    /// <summary>
    /// Writes "{prefix}step" and, when <paramref name="step"/> &gt; 0, copies of the state tensors (the bound
    /// buffers, or imported ones not yet bound).
    /// </summary>
    public void Export(long step, IDictionary<string, Tensor> tensors, IDictionary<string, string> scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        scalars[_prefix + "step"] = step.ToString(CultureInfo.InvariantCulture);
        if (step == 0) return;
        for (int k = 0; k < _kinds.Length; k++)
        {
            if (IsBound)
            {
                for (int i = 0; i < _names.Length; i++) tensors[Key(k, _names[i])] = Buffers[k][i].Clone();
            }
            else if (_pending is not null)
            {
                foreach (var (name, tensor) in _pending[k].OrderBy(p => p.Key, StringComparer.Ordinal))
                    tensors[Key(k, name)] = tensor.Clone();
            }
        }
    }

    /// <summary>
    /// Validates and restores the state tensors written by <see cref="Export"/> and returns the step count.
    /// Nothing changes unless everything is valid. When the slot list is not fixed yet the tensors are kept
    /// (copied) and checked against the slots at the next <see cref="Bind"/>.
    /// </summary>
    public long Import(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        string stepKey = _prefix + "step";
        if (!scalars.TryGetValue(stepKey, out var stepText))
            throw new ArgumentException($"The optimizer state lacks the scalar '{stepKey}'.", nameof(scalars));
        if (!long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new ArgumentException($"Optimizer scalar '{stepKey}' = '{stepText}' is not a non-negative integer.", nameof(scalars));

        var byKind = new Dictionary<string, Tensor>[_kinds.Length];
        for (int k = 0; k < _kinds.Length; k++) byKind[k] = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(_prefix, StringComparison.Ordinal)) continue;
            int kind = KindOf(key, out string name);
            if (kind < 0)
                throw new ArgumentException(
                    $"Unexpected optimizer state tensor '{key}': this optimizer keeps " +
                    (_kinds.Length == 0 ? "no tensors." : $"only {string.Join(", ", _kinds.Select(k => $"'{_prefix}{k}.<slot>'"))}."), nameof(tensors));
            if (step == 0)
                throw new ArgumentException($"The optimizer state has step 0 ('{stepKey}') but holds tensor '{key}'; state tensors exist only after a step.", nameof(tensors));
            byKind[kind][name] = tensor ?? throw new ArgumentException($"Optimizer state tensor '{key}' is null.", nameof(tensors));
            CheckValues(key, tensor, Array.IndexOf(NonNegativeKinds, _kinds[kind]) >= 0);
        }
        // Every kind must cover the same slots with the same shapes.
        for (int k = 1; k < _kinds.Length; k++)
        {
            foreach (var (name, tensor) in byKind[0].OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!byKind[k].TryGetValue(name, out var other))
                    throw new ArgumentException($"The optimizer state has '{Key(0, name)}' but not '{Key(k, name)}' (slot '{name}').", nameof(tensors));
                if (!other.HasShape(tensor.Shape))
                    throw new ArgumentException($"Optimizer state '{Key(k, name)}' {other.ShapeText} and '{Key(0, name)}' {tensor.ShapeText} differ in shape (slot '{name}').", nameof(tensors));
            }
            foreach (var name in byKind[k].Keys.Order(StringComparer.Ordinal))
                if (!byKind[0].ContainsKey(name))
                    throw new ArgumentException($"The optimizer state has '{Key(k, name)}' but not '{Key(0, name)}' (slot '{name}').", nameof(tensors));
        }

        if (IsBound)
        {
            if (step > 0 && FindMismatch(byKind, _names, _shapes) is { } error)
                throw new ArgumentException($"The optimizer state does not fit the slots: {error}", nameof(tensors));
            for (int k = 0; k < _kinds.Length; k++)
            {
                for (int i = 0; i < _names.Length; i++)
                {
                    if (step == 0) Buffers[k][i].Clear();
                    else Buffers[k][i].CopyFrom(byKind[k][_names[i]]);
                }
            }
        }
        else
        {
            for (int k = 0; k < _kinds.Length; k++)
                foreach (var name in byKind[k].Keys.ToArray()) byKind[k][name] = byKind[k][name].Clone();
            _pending = step == 0 ? null : byKind;
        }
        return step;
    }

    // No optimizer step produces a non-finite moment, or a negative second moment: such state would turn θ into NaN.
    private static void CheckValues(string key, Tensor tensor, bool nonNegative)
    {
        var values = tensor.Span;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || (nonNegative && v < 0))
                throw new ArgumentException(
                    $"Optimizer state tensor '{key}' holds {v.ToString(CultureInfo.InvariantCulture)} at entry {i}; " +
                    (nonNegative ? "its entries are finite and non-negative after any step." : "its entries are finite after any step."), "tensors");
        }
    }

    // The kind index of key "{prefix}{kind}.{name}" (name non-empty), or −1.
    private int KindOf(string key, out string name)
    {
        for (int k = 0; k < _kinds.Length; k++)
        {
            string head = _prefix + _kinds[k] + ".";
            if (key.Length > head.Length && key.StartsWith(head, StringComparison.Ordinal))
            {
                name = key[head.Length..];
                return k;
            }
        }
        name = "";
        return -1;
    }

    // A message naming the first slot whose state is missing or misshapen, or the first state tensor without
    // a slot; null when the state holds exactly one tensor of each kind per slot, of the slot's shape.
    private string? FindMismatch(Dictionary<string, Tensor>[] byKind, string[] names, int[][] shapes)
    {
        for (int k = 0; k < _kinds.Length; k++)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (!byKind[k].TryGetValue(names[i], out var tensor))
                    return $"it lacks '{Key(k, names[i])}' for slot '{names[i]}'.";
                if (!tensor.HasShape(shapes[i]))
                    return $"'{Key(k, names[i])}' has shape {tensor.ShapeText} but slot '{names[i]}' has shape {Tensor.ShapeString(shapes[i])}.";
            }
            if (byKind[k].Count != names.Length)
            {
                var known = new HashSet<string>(names, StringComparer.Ordinal);
                string extra = byKind[k].Keys.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).First();
                return $"it holds '{Key(k, extra)}' but no slot is named '{extra}'.";
            }
        }
        return null;
    }
}
