using System.Runtime.CompilerServices;
using DiffOpt.ML;
using DiffOpt.ML.Persistence;
using Microsoft.ML;

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
