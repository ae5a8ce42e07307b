using DiffOpt.Native;
using TorchSharp;

namespace DiffOpt.Numerics;

/// <summary>Per-item loops of the CPU kernels, spread over libtorch's intra-op thread count.</summary>
internal static class BatchParallel
{
    /// <summary>Runs <paramref name="body"/> for every item 0..<paramref name="batch"/>−1; serially on one thread or for small batches.</summary>
    public static void ForEachItem(long batch, Action<long> body) => Run(batch, body, sequentialBlas: false);

    /// <summary>
    /// <see cref="ForEachItem"/> for items that each run many small BLAS/LAPACK calls (a cone item's whole solve or
    /// derivative): on each worker MKL runs on the calling thread alone. Otherwise every small MKL call inside an item
    /// may wake MKL's own threads, which compete with the other workers: at 2 threads socp_b64_n30 took 72-89 ms
    /// forward + backward against 58 ms at 1 thread, and 40-47 ms with this limit (lp_b128_n50: 193 → 107-109 ms). Not
    /// used for the QP's short per-iteration loops, where setting the limit cost more than it saved (B = 128, n = 50,
    /// 2 threads: 94-99 → 115-129 ms CPU).
    /// </summary>
    public static void ForEachLongItem(long batch, Action<long> body) => Run(batch, body, sequentialBlas: true);

    private static void Run(long batch, Action<long> body, bool sequentialBlas)
    {
        int threads = torch.get_num_threads();
        if (threads <= 1 || batch < 2 * threads)
        {
            for (long i = 0; i < batch; i++) body(i);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
        {
            int previous = sequentialBlas ? NativeBlas.SetThreadsOfThisThread(1) : 0;
            try
            {
                for (long i = worker; i < batch; i += threads) body(i);
            }
            finally
            {
                if (sequentialBlas) NativeBlas.SetThreadsOfThisThread(previous);
            }
        });
    }
}
