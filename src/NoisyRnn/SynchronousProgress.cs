namespace NoisyRnn;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, before <see cref="Report"/> returns,
/// so that reports arrive in the order they were made. <see cref="Progress{T}"/> instead posts each report to the
/// captured synchronization context, which in a console program is the thread pool: its lines can arrive out of order
/// and after the call that made them has returned.
/// </summary>
/// <typeparam name="T">The progress value (<see cref="Training.TrainingProgress"/>, <see cref="Experiments.ExperimentProgress"/>, ...).</typeparam>
/// <remarks>The handler runs inside training or analysis: keep it short, and do not throw from it unless the work
/// should stop (the exception propagates to the caller of the long-running method).</remarks>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Reports through <paramref name="handler"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public SynchronousProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <summary>Calls the handler with <paramref name="value"/> on this thread.</summary>
    public void Report(T value) => _handler(value);
}
