using System.Runtime.CompilerServices;
using DiffOpt.ML;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;

// Reach ML.NET's internal persistence API at run time (compile time uses publicised references, see
// build/Publicizer.targets).
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

// Let mlContext.Model.Load find our transformers by the loader signature written in the model file; the
// VersionInfo's loaderAssemblyName makes ML.NET load and scan this assembly in a fresh process.
[assembly: LoadableClass(typeof(QpLayerTransformer), typeof(QpLayerTransformerFormat), null, typeof(SignatureLoadModel),
    QpLayerTransformerFormat.UserName, QpLayerTransformerFormat.LoaderSignature)]
[assembly: LoadableClass(typeof(QpSolvingTransformer), typeof(QpSolvingTransformerFormat), null, typeof(SignatureLoadModel),
    QpSolvingTransformerFormat.UserName, QpSolvingTransformerFormat.LoaderSignature)]

// The same loaders for ML.NET's RowToRowMapperTransform, which saves its IRowMapper (a RowMapperAdapter here) and asks
// the component catalog for a loader of that signature, as it does for ML.NET's own row-to-row transformers.
[assembly: LoadableClass(typeof(IRowMapper), typeof(QpLayerTransformerFormat), null, typeof(SignatureLoadRowMapper),
    QpLayerTransformerFormat.UserName, QpLayerTransformerFormat.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(QpSolvingTransformerFormat), null, typeof(SignatureLoadRowMapper),
    QpSolvingTransformerFormat.UserName, QpSolvingTransformerFormat.LoaderSignature)]
