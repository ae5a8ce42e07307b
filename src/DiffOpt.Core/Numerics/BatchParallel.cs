using TorchSharp;

namespace DiffOpt.Numerics;

/// <summary>Per-item loops of the CPU kernels, spread over libtorch's intra-op thread count.</summary>
internal static class BatchParallel
{
    /// <summary>Runs <paramref name="body"/> for every item 0..<paramref name="batch"/>−1; serially on one thread or for small batches.</summary>
    public static void ForEachItem(long batch, Action<long> body)
    {
        int threads = torch.get_num_threads();
        if (threads <= 1 || batch < 2 * threads)
        {
            for (long i = 0; i < batch; i++) body(i);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
        {
            for (long i = worker; i < batch; i += threads) body(i);
        });
    }
}
