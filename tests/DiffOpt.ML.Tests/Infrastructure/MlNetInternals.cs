using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>
/// ML.NET's internal data-pipeline routines that DiffOpt's transforms must work with, called by reflection (the
/// tests compile against the public ML.NET surface): re-applying a trained chain of transforms to new data, and the
/// save/load of one transform through a model repository, as ML.NET does when it falls back to serialisation.
/// </summary>
internal static class MlNetInternals
{
    private static readonly Assembly Core = typeof(IHostEnvironment).Assembly;
    private static readonly Assembly Data = typeof(MLContext).Assembly;
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>ApplyTransformUtils.ApplyAllTransformsToData: the transforms between <paramref name="oldSource"/> and <paramref name="chain"/>, applied to <paramref name="newSource"/>.</summary>
    public static IDataView ApplyAllTransformsToData(MLContext ml, IDataView chain, IDataView newSource, IDataView oldSource) =>
        (IDataView)Invoke(Data.GetType("Microsoft.ML.Data.ApplyTransformUtils", true)!, "ApplyAllTransformsToData", ml, chain, newSource, oldSource);

    /// <summary>Saves the transform <paramref name="transform"/> into an in-memory repository and loads it back over <paramref name="newSource"/> (SignatureLoadDataTransform).</summary>
    public static IDataView SaveAndLoadTransform(MLContext ml, IDataView transform, IDataView newSource)
    {
        var writerType = Core.GetType("Microsoft.ML.RepositoryWriter", true)!;
        var readerType = Core.GetType("Microsoft.ML.RepositoryReader", true)!;
        var saveContext = Core.GetType("Microsoft.ML.ModelSaveContext", true)!;
        var loadContext = Core.GetType("Microsoft.ML.ModelLoadContext", true)!;
        var dataTransform = Data.GetType("Microsoft.ML.Data.IDataTransform", true)!;
        var signature = Data.GetType("Microsoft.ML.Data.SignatureLoadDataTransform", true)!;
        using var stream = new MemoryStream();
        using (var writer = (IDisposable)Invoke(writerType, "CreateNew", stream, ml, false))
        {
            Invoke(saveContext, "SaveModel", writer, transform, "model");
            writerType.GetMethod("Commit", Instance)!.Invoke(writer, null);
        }
        stream.Position = 0;
        using var reader = (IDisposable)Invoke(readerType, "Open", stream, ml, false);
        var load = loadContext.GetMethods(Static).Single(m => m.Name == "LoadModel" && m.IsGenericMethodDefinition && m.GetParameters().Length == 5
            && m.GetParameters()[2].ParameterType == readerType).MakeGenericMethod(dataTransform, signature);
        var arguments = new object?[] { ml, null, reader, "model", new object[] { newSource } };
        load.Invoke(null, arguments);
        return (IDataView)arguments[1]!;
    }

    private static object Invoke(Type type, string name, params object?[] arguments)
    {
        var method = type.GetMethods(Static).Single(m => m.Name == name && m.GetParameters().Length == arguments.Length);
        if (method.IsGenericMethodDefinition)
            method = method.MakeGenericMethod(typeof(object)); // ModelSaveContext.SaveModel<T>
        try
        {
            return method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
