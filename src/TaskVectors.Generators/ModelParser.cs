// ModelParser: reads one [GeneratedModel] class into a ModelSpec — its annotated members in declaration
// order with their dotted names and kinds — and every diagnostic (TV1001–TV1005). The only stage that
// sees symbols and syntax; what it returns holds neither.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace TaskVectors.Generators;

internal static class ModelParser
{
    public const string ModelAttribute = "TaskVectors.Models.GeneratedModelAttribute";
    private const string LayerAttribute = "TaskVectors.Models.LayerAttribute";
    private const string SubmoduleAttribute = "TaskVectors.Models.SubmoduleAttribute";
    private const string ParameterAttribute = "TaskVectors.Models.ModelParameterAttribute";
    private const string ParameterType = "TaskVectors.Layers.Parameter";
    private const string ParameterizedType = "TaskVectors.Layers.IParameterized";
    private const string LayerType = "TaskVectors.Layers.ILayer";
    private const string ModuleType = "TaskVectors.Models.IModule";

    public static ModelSpec Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        bool sequential = context.Attributes[0].NamedArguments.Any(a => a.Key == "Sequential" && a.Value.Value is true);
        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string typeName = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        string hint = (ns.Length == 0 ? "" : ns + ".") + type.MetadataName.Replace('`', '_') + ".g.cs";

        bool partial = type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax(cancellationToken) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
        if (!partial || type.ContainingType is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(ModelDiagnostics.NotPartial, type.Locations.FirstOrDefault(), type.Name));
            return new ModelSpec(ns, typeName, hint, sequential, default, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var members = new List<MemberSpec>();
        var owners = new Dictionary<string, string>();
        var widths = new WidthChain();
        foreach (var member in InDeclarationOrder(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (kind, attribute) = Annotation(member);
            if (attribute is null) continue;
            var location = member.Locations.FirstOrDefault();
            if (member.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(ModelDiagnostics.StaticMember, location, member.Name));
                continue;
            }
            var memberType = member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;
            string? problem = Check(kind, memberType, sequential);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(ModelDiagnostics.UnsupportedMember, location, member.Name,
                    memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), KindText(kind), problem));
                continue;
            }
            string name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? SnakeCase(member.Name);
            if (owners.TryGetValue(name, out var other))
            {
                diagnostics.Add(DiagnosticInfo.Create(ModelDiagnostics.DuplicateName, location, other, member.Name, name));
                continue;
            }
            owners.Add(name, member.Name);
            bool excluded = attribute.NamedArguments.Any(a => a.Key == "Excluded" && a.Value.Value is true);
            members.Add(new MemberSpec(member.Name, name, kind, excluded));
            if (sequential && widths.Next(member, memberType, context.SemanticModel, cancellationToken) is { } mismatch)
                diagnostics.Add(DiagnosticInfo.Create(ModelDiagnostics.WidthMismatch, location, member.Name, mismatch.Expected.ToString(), mismatch.Actual.ToString()));
        }
        return new ModelSpec(ns, typeName, hint, sequential, new EquatableArray<MemberSpec>(members), new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    // Fields and properties ordered by file, then position: the declaration order, deterministic across partial files.
    private static IEnumerable<ISymbol> InDeclarationOrder(INamedTypeSymbol type) =>
        type.GetMembers()
            .Where(m => m is IFieldSymbol { IsImplicitlyDeclared: false } or IPropertySymbol)
            .OrderBy(m => m.Locations.FirstOrDefault()?.SourceTree?.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0);

    private static (MemberKind Kind, AttributeData? Attribute) Annotation(ISymbol member)
    {
        foreach (var a in member.GetAttributes())
        {
            switch (a.AttributeClass?.ToDisplayString())
            {
                case LayerAttribute: return (MemberKind.Layer, a);
                case SubmoduleAttribute: return (MemberKind.Submodule, a);
                case ParameterAttribute: return (MemberKind.Parameter, a);
            }
        }
        return (MemberKind.Layer, null);
    }

    // Null when the member's type fits its kind, else why not.
    private static string? Check(MemberKind kind, ITypeSymbol type, bool sequential)
    {
        switch (kind)
        {
            case MemberKind.Parameter:
                if (sequential) return "a sequential model's generated passes cannot use a plain parameter";
                return type.ToDisplayString() == ParameterType ? null : "a plain parameter must be a TaskVectors.Layers.Parameter";
            case MemberKind.Submodule:
                if (!Implements(type, ModuleType)) return "a submodule must implement TaskVectors.Models.IModule";
                break;
            default:
                if (!Implements(type, ParameterizedType)) return "a layer must implement TaskVectors.Layers.IParameterized";
                break;
        }
        return sequential && !Implements(type, LayerType) ? "a sequential model's layers must implement TaskVectors.Layers.ILayer" : null;
    }

    private static bool Implements(ITypeSymbol type, string interfaceName) =>
        type.ToDisplayString() == interfaceName || type.AllInterfaces.Any(i => i.ToDisplayString() == interfaceName);

    private static string KindText(MemberKind kind) => kind switch
    {
        MemberKind.Parameter => "plain parameter",
        MemberKind.Submodule => "submodule",
        _ => "layer",
    };

    /// <summary>"_tokenFc1" → "token_fc1", "PatchEmbedding" → "patch_embedding", "HTMLParser" → "html_parser".</summary>
    internal static string SnakeCase(string member)
    {
        string s = member.TrimStart('_');
        var text = new StringBuilder(s.Length + 4);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(s[i - 1]) || char.IsDigit(s[i - 1])
                    || (char.IsUpper(s[i - 1]) && i + 1 < s.Length && char.IsLower(s[i + 1])));
                if (boundary) text.Append('_');
                text.Append(char.ToLowerInvariant(c));
            }
            else text.Append(c);
        }
        return text.ToString();
    }

    // The running width of a sequence: a Linear's constant in/out widths and a LayerNorm's width are checked and
    // carried; activations, normalization, dropout and residual blocks keep the width; anything else makes it unknown.
    private sealed class WidthChain
    {
        private int? _width;

        public (int Expected, int Actual)? Next(ISymbol member, ITypeSymbol type, SemanticModel model, CancellationToken ct)
        {
            string typeName = type.ToDisplayString();
            var args = ConstantArguments(member, model, ct);
            switch (typeName)
            {
                case "TaskVectors.Layers.Linear":
                    return Step(args.TryGetValue("inFeatures", out int i) ? i : null, args.TryGetValue("outFeatures", out int o) ? o : null);
                case "TaskVectors.Layers.LayerNorm":
                    int? w = args.TryGetValue("features", out int f) ? f : null;
                    return Step(w, w);
                case "TaskVectors.Layers.Gelu" or "TaskVectors.Layers.QuickGelu" or "TaskVectors.Layers.L2Normalize"
                    or "TaskVectors.Layers.Dropout" or "TaskVectors.Layers.Residual":
                    return null;
                default:
                    _width = null;
                    return null;
            }
        }

        private (int, int)? Step(int? input, int? output)
        {
            (int, int)? mismatch = input is int i && _width is int w && i != w ? (i, w) : null;
            _width = output;
            return mismatch;
        }

        // The constant int arguments of the member's initializer `new T(...)`, by parameter name.
        private static Dictionary<string, int> ConstantArguments(ISymbol member, SemanticModel model, CancellationToken ct)
        {
            var result = new Dictionary<string, int>();
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(ct);
                var initializer = syntax switch
                {
                    VariableDeclaratorSyntax v => v.Initializer?.Value,
                    PropertyDeclarationSyntax p => p.Initializer?.Value,
                    _ => null,
                };
                if (initializer is null) continue;
                var semantic = initializer.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(initializer.SyntaxTree);
                var operation = semantic.GetOperation(initializer, ct);
                while (operation is IConversionOperation conversion) operation = conversion.Operand;
                if (operation is not IObjectCreationOperation creation) continue;
                foreach (var argument in creation.Arguments)
                    if (argument.Parameter is { } p && argument.Value.ConstantValue is { HasValue: true, Value: int value })
                        result[p.Name] = value;
            }
            return result;
        }
    }
}
