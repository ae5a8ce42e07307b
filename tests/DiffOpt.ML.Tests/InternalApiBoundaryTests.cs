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
        using var module = ReadDiffOptMl();
        var violations = new List<string>();
        var checkedReferences = 0;
        foreach (var type in module.GetTypes().Where(t => Outermost(t).Namespace != AllowedNamespace))
        {
            foreach (var method in type.Methods)
            {
                foreach (var reference in MethodReferences(method).Where(IsMlNet))
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

    /// <summary>
    /// The publicised references let DiffOpt.ML compile against any ML.NET version's internals; this checks the
    /// version the tests run on. Every ML.NET type, method and field DiffOpt.ML references (its IL, signatures and
    /// assembly attributes, internal or public) must resolve in the real Microsoft.ML.Core/Data next to the tests,
    /// which are the package DLLs of Directory.Packages.props' MicrosoftMLVersion. A member that moved or changed
    /// its signature in a new ML.NET version fails here by name, rather than as a MissingMethodException at load.
    /// </summary>
    [Fact]
    public void EveryMlNetMemberDiffOptUses_ResolvesInTheMlNetVersionUnderTest()
    {
        using var module = ReadDiffOptMl();
        var references = new List<MemberReference>();
        references.AddRange(module.Assembly.CustomAttributes.Select(a => a.Constructor));
        references.AddRange(module.Assembly.CustomAttributes.SelectMany(a => a.ConstructorArguments)
            .SelectMany(a => a.Value is CustomAttributeArgument[] items ? items.Select(i => i.Value) : [a.Value]).OfType<TypeReference>());
        foreach (var type in module.GetTypes())
        {
            if (type.BaseType is not null)
                references.Add(type.BaseType);
            references.AddRange(type.Interfaces.Select(i => i.InterfaceType));
            references.AddRange(type.Fields.Select(f => f.FieldType));
            references.AddRange(type.Methods.SelectMany(MethodReferences));
        }
        var mlNet = references.Where(IsMlNet).Distinct().ToList();
        var version = typeof(Microsoft.ML.MLContext).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        var unresolved = mlNet.Where(r => !Resolves(r)).Select(r => r.FullName).Distinct().ToList();
        var distinct = mlNet.Select(r => r.FullName).Distinct().Count();
        Assert.True(distinct > 40, $"only {distinct} ML.NET references found: is the scan reading the right assembly?");
        Assert.True(unresolved.Count == 0, $"not in Microsoft.ML {version}: {string.Join("; ", unresolved)}");
    }

    /// <summary>DiffOpt.ML as loaded by the tests, resolving references in the test output (the real ML.NET DLLs).</summary>
    private static ModuleDefinition ReadDiffOptMl()
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        return ModuleDefinition.ReadModule(typeof(QpLayerTrainer).Assembly.Location, new ReaderParameters { AssemblyResolver = resolver });
    }

    /// <summary>The members a method's signature and body refer to.</summary>
    private static IEnumerable<MemberReference> MethodReferences(MethodDefinition method)
    {
        yield return method.ReturnType;
        foreach (var parameter in method.Parameters)
            yield return parameter.ParameterType;
        if (method.HasBody)
            foreach (var operand in method.Body.Instructions.Select(i => i.Operand).OfType<MemberReference>())
                yield return operand;
    }

    private static bool Resolves(MemberReference reference) => reference switch
    {
        GenericInstanceType generic => Resolves(generic.ElementType) && generic.GenericArguments.Where(IsMlNet).All(Resolves),
        TypeSpecification specification => Resolves(specification.ElementType),
        GenericParameter => true,
        TypeReference type => type.Resolve() is not null,
        MethodReference method => method.Resolve() is not null,
        FieldReference field => field.Resolve() is not null,
        _ => false,
    };

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
