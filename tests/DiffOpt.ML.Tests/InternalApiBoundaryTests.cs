using Mono.Cecil;
using Mono.Cecil.Cil;

namespace DiffOpt.ML.Tests;

/// <summary>
/// DiffOpt.ML compiles against publicised ML.NET references, so the compiler cannot stop internal ML.NET API from
/// spreading. This test reads DiffOpt.ML's IL and requires every use of a non-public ML.NET member or type to
/// sit in the DiffOpt.ML.Persistence namespace (src/DiffOpt.ML/Persistence/).
/// </summary>
public class InternalApiBoundaryTests
{
    private const string AllowedNamespace = "DiffOpt.ML.Persistence";

    [Fact]
    public void NonPublicMlNetApi_IsUsedOnlyInPersistence()
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        using var module = ModuleDefinition.ReadModule(typeof(QpLayerTrainer).Assembly.Location, new ReaderParameters { AssemblyResolver = resolver });
        var violations = new List<string>();
        var checkedReferences = 0;
        foreach (var type in module.GetTypes().Where(t => Outermost(t).Namespace != AllowedNamespace))
        {
            foreach (var method in type.Methods)
            {
                var references = new List<MemberReference>();
                references.Add(method.ReturnType);
                references.AddRange(method.Parameters.Select(p => p.ParameterType));
                if (method.HasBody)
                    references.AddRange(method.Body.Instructions.Select(i => i.Operand).OfType<MemberReference>());
                foreach (var reference in references.Where(IsMlNet))
                {
                    checkedReferences++;
                    if (!IsPublicApi(reference))
                        violations.Add($"{type.FullName}.{method.Name} uses {reference.FullName}");
                }
            }
        }
        Assert.True(checkedReferences > 50, $"only {checkedReferences} ML.NET references found: is the scan reading the right assembly?");
        Assert.Empty(violations);
    }

    private static TypeDefinition Outermost(TypeDefinition type) => type.DeclaringType is null ? type : Outermost(type.DeclaringType);

    private static bool IsMlNet(MemberReference reference)
    {
        var type = reference as TypeReference ?? reference.DeclaringType;
        while (type is TypeSpecification specification)
            type = specification.ElementType;
        return type?.Scope?.Name is "Microsoft.ML.Core" or "Microsoft.ML.Data";
    }

    private static bool IsPublicApi(MemberReference reference)
    {
        switch (reference)
        {
            case GenericInstanceType generic:
                return IsPublicApi(generic.ElementType) && generic.GenericArguments.Where(IsMlNet).All(IsPublicApi);
            case TypeSpecification specification:
                return IsPublicApi(specification.ElementType);
            case TypeReference type:
                return type.Resolve() is { } definition && IsVisible(definition);
            case MethodReference method:
                var resolved = method.Resolve();
                return resolved is not null && (resolved.IsPublic || resolved.IsFamily || resolved.IsFamilyOrAssembly)
                    && IsVisible(resolved.DeclaringType);
            case FieldReference field:
                var resolvedField = field.Resolve();
                return resolvedField is not null && (resolvedField.IsPublic || resolvedField.IsFamily || resolvedField.IsFamilyOrAssembly)
                    && IsVisible(resolvedField.DeclaringType);
            default:
                return false;
        }
    }

    private static bool IsVisible(TypeDefinition type) =>
        type.IsPublic || (type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamilyOrAssembly) && IsVisible(type.DeclaringType);
}
