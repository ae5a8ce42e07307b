// The runtime (CoreCLR) lets an assembly carrying this attribute reach the non-public members of the named
// assembly. The compiler ships no definition, so we declare it; the runtime matches it by full name.
// Used for ML.NET's internal persistence API (see AssemblyAttributes.cs and build/Publicizer.targets).
namespace System.Runtime.CompilerServices;

[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    public string AssemblyName { get; }
}
