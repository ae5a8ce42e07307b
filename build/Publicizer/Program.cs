// Writes a "publicised" copy of an assembly for use as a compile-time reference only: every type and
// member that is internal or private becomes public, and every `private protected` member becomes
// `protected` (so overrides still compile as `protected override`). Members that are already public,
// protected or `protected internal` keep their accessibility, so overriding them is unchanged.
// Explicit interface implementations (names containing '.') and compiler-generated names are left
// alone. The copy keeps the assembly identity, so the runtime still binds to the real package DLL.
//
// Usage: Publicizer <input.dll> <output.dll> [<input.dll> <output.dll> ...]
// The output is written to a temporary file and moved into place, so concurrent builds never see a
// half-written file.
using Mono.Cecil;

if (args.Length == 0 || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: Publicizer <input.dll> <output.dll> [<input.dll> <output.dll> ...]");
    return 2;
}

for (var i = 0; i < args.Length; i += 2)
    Publicise(args[i], args[i + 1]);
return 0;

static void Publicise(string input, string output)
{
    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
    var parameters = new ReaderParameters { AssemblyResolver = resolver, ReadingMode = ReadingMode.Immediate, InMemory = true };
    using var assembly = AssemblyDefinition.ReadAssembly(input, parameters);
    foreach (var type in assembly.MainModule.GetTypes())
        PubliciseType(type);

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    var temporary = $"{output}.{Guid.NewGuid():N}.tmp";
    assembly.Write(temporary);
    File.Move(temporary, output, overwrite: true);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output}");
}

static void PubliciseType(TypeDefinition type)
{
    if (IsCompilerGenerated(type.Name))
        return;
    var visibility = type.Attributes & TypeAttributes.VisibilityMask;
    if (!type.IsNested)
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.Public;
    else if (visibility is TypeAttributes.NestedAssembly or TypeAttributes.NestedPrivate)
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.NestedPublic;
    else if (visibility == TypeAttributes.NestedFamANDAssem)
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.NestedFamily;

    foreach (var method in type.Methods)
    {
        if (IsCompilerGenerated(method.Name) || method.Name.Contains('.') && !method.IsConstructor)
            continue;
        method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | Widen(method.Attributes & MethodAttributes.MemberAccessMask);
    }
    foreach (var field in type.Fields)
    {
        if (IsCompilerGenerated(field.Name))
            continue;
        var access = (MethodAttributes)(ushort)(field.Attributes & FieldAttributes.FieldAccessMask);
        field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)(ushort)Widen(access);
    }
}

// private/internal -> public; private protected -> protected; everything else unchanged.
static MethodAttributes Widen(MethodAttributes access) => access switch
{
    MethodAttributes.Private or MethodAttributes.Assembly or MethodAttributes.CompilerControlled => MethodAttributes.Public,
    MethodAttributes.FamANDAssem => MethodAttributes.Family,
    _ => access,
};

static bool IsCompilerGenerated(string name) => name.Contains('<') || name.Contains('$');
