// The ML.NET tests run one class at a time. TorchSharp 0.107 creates implicit Scalars (the alpha of Tensor + Tensor,
// scalar operands) that the finaliser can free while libtorch still reads them when another thread's allocations
// trigger a garbage collection mid-call (docs/guides/concepts.md, "Known issue"). Parallel test classes that train
// networks made that race fail 3 of 5 clean-clone CI runs after this stop's merges; one class at a time keeps the
// other allocating threads away from each native call. The library-side remedy (explicit long-lived Scalars in the
// hot operators) is tracked in the issues.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
