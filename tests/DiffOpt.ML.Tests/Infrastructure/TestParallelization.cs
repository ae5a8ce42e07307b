// The ML.NET tests run one class at a time. TorchSharp 0.107 creates temporary Scalars (the alpha of Tensor + Tensor,
// scalar operands) that the finaliser can free while libtorch still reads them when another thread's allocations
// trigger a garbage collection mid-call (docs/guides/concepts.md). DiffOpt's code, this suite's code included, no
// longer makes such temporaries (ImplicitScalarScan checks it), but TorchSharp's own optimisers (Adam, SGD), which the
// trainers under test use, still do internally; parallel test classes that train networks made the race fail 3 of 5
// clean-clone CI runs of stop 21. One class at a time keeps other allocating threads away from those calls.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
