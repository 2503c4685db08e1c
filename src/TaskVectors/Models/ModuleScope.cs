// ModuleScope: the one place a model declares its parameters and layers, at construction (in the spirit
// of candle's VarBuilder): scope.Push("encoder").Push("layers.0") builds dotted Hugging Face names, and
// every Add appends a layer's parameters in order and records its curvature role. Build() freezes it.
using TaskVectors.Layers;

namespace TaskVectors.Models;

/// <summary>
/// A dotted name prefix over a shared, growing <see cref="ModelRegistration"/>. Declaring a layer with <see cref="Add{T}(T)"/>
/// appends its parameters (a parameter declared earlier keeps its place) and gives them their role: weight and bias of an
/// <see cref="IKfacLayer"/> → <see cref="CurvatureRole.Kronecker"/>; per-sample parameters of an
/// <see cref="IPerSampleGradients"/> → <see cref="CurvatureRole.Dense"/>; an <see cref="IModule"/> brings its own
/// registration; an <see cref="ILayerContainer"/> declares its children; anything else → <see cref="CurvatureRole.None"/>
/// until <see cref="Exclude"/>d.
/// </summary>
/// <example><code>
/// var root = new ModuleScope();
/// var layer = root.Push("encoder").Push("layers.0");
/// var fc1 = layer.Add("fc1", name => new Linear(name, 64, 256));   // "encoder.layers.0.fc1.weight", ".bias"
/// var registration = root.Build();
/// </code></example>
public sealed class ModuleScope
{
    private readonly State _state;

    /// <summary>Creates an empty root scope (prefix "").</summary>
    public ModuleScope() : this(new State(), "") { }

    private ModuleScope(State state, string prefix)
    {
        _state = state;
        Prefix = prefix;
    }

    /// <summary>This scope's dotted prefix ("" at the root).</summary>
    public string Prefix { get; }

    /// <summary>A child scope named "{Prefix}.{name}" (or <paramref name="name"/> at the root) sharing this registration.</summary>
    public ModuleScope Push(string name) => new(_state, NameOf(name));

    /// <summary>The full dotted name of <paramref name="name"/> in this scope.</summary>
    public string NameOf(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.StartsWith('.') || name.EndsWith('.'))
            throw new ArgumentException($"Scope name '{name}' must not start or end with '.'.", nameof(name));
        return Prefix.Length == 0 ? name : Prefix + "." + name;
    }

    /// <summary>Creates a layer with its full name (<see cref="NameOf"/>) and declares it (<see cref="Add{T}(T)"/>).</summary>
    public T Add<T>(string name, Func<string, T> create) where T : class, IParameterized
    {
        ArgumentNullException.ThrowIfNull(create);
        return Add(create(NameOf(name)));
    }

    /// <summary>Declares a layer or module already created (see the class remarks).</summary>
    /// <exception cref="InvalidOperationException">The registration was built, or a different parameter already has one of its names.</exception>
    public T Add<T>(T module) where T : class, IParameterized
    {
        ArgumentNullException.ThrowIfNull(module);
        _state.ThrowIfBuilt();
        if (module is IModule nested)
        {
            var r = nested.Registration;
            foreach (var p in r.Parameters) _state.Declare(p, r.RoleOf(p));
            foreach (var k in r.KfacLayers) _state.AddKfac(k);
            foreach (var s in r.PerSampleLayers) _state.AddPerSample(s);
            return module;
        }
        if (module is ILayerContainer container)
        {
            foreach (var child in container.Children) Add(child);
            foreach (var p in module.Parameters) _state.Declare(p, CurvatureRole.None);
            return module;
        }
        var roles = new Dictionary<Parameter, CurvatureRole>();
        if (module is IKfacLayer kfac)
        {
            roles[kfac.Weight] = CurvatureRole.Kronecker;
            if (kfac.Bias is not null) roles[kfac.Bias] = CurvatureRole.Kronecker;
            _state.AddKfac(kfac);
        }
        if (module is IPerSampleGradients perSample)
        {
            foreach (var p in perSample.PerSampleParameters) roles[p] = CurvatureRole.Dense;
            _state.AddPerSample(perSample);
        }
        foreach (var p in module.Parameters) _state.Declare(p, roles.GetValueOrDefault(p, CurvatureRole.None));
        return module;
    }

    /// <summary>
    /// Declares <paramref name="module"/> (<see cref="Add{T}(T)"/>) after checking that its parameters live under
    /// <see cref="NameOf"/>(<paramref name="name"/>): each is named "{that}.…".
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter is named otherwise (the message names it and the expected prefix).</exception>
    public T Add<T>(string name, T module) where T : class, IParameterized
    {
        ArgumentNullException.ThrowIfNull(module);
        string prefix = NameOf(name) + ".";
        foreach (var p in module.Parameters)
            if (!p.Name.StartsWith(prefix, StringComparison.Ordinal))
                throw new InvalidOperationException($"Parameter '{p.Name}' is declared under '{NameOf(name)}' but its name does not start with '{prefix}'; create the layer with the scope's name.");
        return Add(module);
    }

    /// <summary>Declares a plain parameter, checking it is named <see cref="NameOf"/>(<paramref name="name"/>).</summary>
    /// <exception cref="InvalidOperationException">The parameter has another name.</exception>
    public Parameter Add(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Name != NameOf(name))
            throw new InvalidOperationException($"Parameter '{parameter.Name}' is declared as '{NameOf(name)}'; create it with the scope's name.");
        return Add(parameter);
    }

    /// <summary>Declares a plain parameter at this point of the order (its layer, added later, may give it a role).</summary>
    public Parameter Add(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        _state.ThrowIfBuilt();
        _state.Declare(parameter, CurvatureRole.None);
        return parameter;
    }

    /// <summary>Marks declared parameters as deliberately without curvature (<see cref="CurvatureRole.Excluded"/>).</summary>
    /// <exception cref="InvalidOperationException">A parameter is not declared yet, or a curvature block already covers it.</exception>
    public void Exclude(params IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _state.ThrowIfBuilt();
        foreach (var p in parameters) _state.Exclude(p);
    }

    /// <summary>Freezes the registration (call once, at the end of the model's constructor).</summary>
    public ModelRegistration Build() => _state.Build();

    private sealed class State
    {
        private readonly List<Parameter> _parameters = [];
        private readonly Dictionary<Parameter, CurvatureRole> _roles = [];
        private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
        private readonly List<IKfacLayer> _kfac = [];
        private readonly List<IPerSampleGradients> _perSample = [];
        private ModelRegistration? _built;

        public void ThrowIfBuilt()
        {
            if (_built is not null) throw new InvalidOperationException("This registration was already built; declare every parameter before Build().");
        }

        public void Declare(Parameter p, CurvatureRole role)
        {
            if (_byName.TryGetValue(p.Name, out var existing))
            {
                if (!ReferenceEquals(existing, p))
                    throw new InvalidOperationException($"Two different parameters are named '{p.Name}'; parameter names must be unique in a model.");
                if (role != CurvatureRole.None) SetRole(p, role);
                return;
            }
            _byName.Add(p.Name, p);
            _parameters.Add(p);
            _roles[p] = role;
        }

        public void Exclude(Parameter p)
        {
            if (!_roles.TryGetValue(p, out var role) || !ReferenceEquals(_byName[p.Name], p))
                throw new InvalidOperationException($"Parameter '{p.Name}' must be declared before it is excluded.");
            if (role is CurvatureRole.Kronecker or CurvatureRole.Dense)
                throw new InvalidOperationException($"Parameter '{p.Name}' has a {role} curvature block; it cannot also be excluded.");
            _roles[p] = CurvatureRole.Excluded;
        }

        public void AddKfac(IKfacLayer layer)
        {
            if (!_kfac.Contains(layer)) _kfac.Add(layer);
        }

        public void AddPerSample(IPerSampleGradients layer)
        {
            if (!_perSample.Contains(layer)) _perSample.Add(layer);
        }

        public ModelRegistration Build() => _built ??= new ModelRegistration([.. _parameters], [.. _kfac], [.. _perSample], new(_roles));

        private void SetRole(Parameter p, CurvatureRole role)
        {
            var current = _roles[p];
            if (current == CurvatureRole.Excluded)
                throw new InvalidOperationException($"Parameter '{p.Name}' was excluded from curvature but a {role} layer covers it.");
            if (current != CurvatureRole.None && current != role)
                throw new InvalidOperationException($"Parameter '{p.Name}' is covered both as {current} and as {role}.");
            _roles[p] = role;
        }
    }
}
