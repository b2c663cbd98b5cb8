namespace Kinlet.Containers;

/// <summary>
/// kinletd runs socket completions inline on the socket engine's threads (Program.cs), so code after an await on
/// a socket runs there until its next real await. What this layer returns to (the reconciler, its store writes)
/// may block, so engine calls and probes hand their callers back on the thread pool, result or exception alike.
/// </summary>
internal static class ThreadPoolReturn
{
    public static async Task<T> OnThreadPool<T>(this Task<T> task)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            await Task.Yield();
        }
    }
}
