using System.Buffers;

namespace NoisyRnn.Tasks;

/// <summary>
/// The head-direction task of Krishna et al. (ICLR 2024, Sec. 4.2): integrate angular velocity into heading, reported by
/// <see cref="HeadDirectionCells"/>. Random draws per batch, in order (matching the reference fixtures
/// head_direction_*.json): start headings U(0, 2 pi) [batch] (only with <see cref="HeadDirectionOptions.UniformStart"/>),
/// then turns N(0, TurnStd^2) [batch, time]. heading_0 = start, heading_{t+1} = heading_t + Dt·turn_t (|turn_t| when biased),
/// accumulated in float64 and wrapped to [-pi, pi) with numpy's mod semantics, then rounded to float32 once.
/// </summary>
public sealed class HeadDirectionTask : IPathIntegrationTask
{
    /// <summary>Creates the task.</summary>
    /// <param name="options">Trajectory parameters; validated.</param>
    /// <param name="cells">HD cells for the initial state and the targets (paper: 512 cells, spread pi/6).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public HeadDirectionTask(HeadDirectionOptions options, HeadDirectionCells cells)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cells);
        options.Validate();
        Options = options;
        Cells = cells;
    }

    /// <summary>The trajectory parameters.</summary>
    public HeadDirectionOptions Options { get; }

    /// <summary>The HD cells.</summary>
    public HeadDirectionCells Cells { get; }

    /// <summary>1 (angular velocity).</summary>
    public int InputSize => 1;

    /// <summary>The HD-cell count.</summary>
    public int OutputSize => Cells.Count;

    /// <inheritdoc />
    public int SequenceLength => Options.SequenceLength;

    /// <summary>1 (heading).</summary>
    public int DecodedSize => 1;

    /// <summary>True: headings are angles.</summary>
    public bool IsCircular => true;

    /// <summary>"rad".</summary>
    public string CoordinateUnit => "rad";

    /// <summary>Generates a new batch.</summary>
    /// <param name="batchSize">Trajectories; &gt; 0.</param>
    /// <param name="random">The task stream (draw order in the class remarks).</param>
    /// <returns>A new batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public HeadDirectionBatch NextBatch(int batchSize, ITaskRandom random)
    {
        Guard.Positive(batchSize);
        ArgumentNullException.ThrowIfNull(random);
        var batch = new HeadDirectionBatch(batchSize, Options.SequenceLength, Cells.Count);
        NextBatch(random, batch);
        return batch;
    }

    /// <summary>Overwrites <paramref name="destination"/> with a new batch, reusing its arrays.</summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch with SequenceLength steps and the cell count of this task.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong time steps or cell count.</exception>
    public void NextBatch(ITaskRandom random, HeadDirectionBatch destination) => NextBatch(random, destination, encodeTargets: true);

    /// <summary>Overwrites <paramref name="destination"/> with a new batch, reusing its arrays; with
    /// <paramref name="encodeTargets"/> false the HD-cell targets are left to be encoded on demand (see
    /// <see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>).</summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch with SequenceLength steps and the cell count of this task.</param>
    /// <param name="encodeTargets">False to defer the targets.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong time steps or cell count.</exception>
    public void NextBatch(ITaskRandom random, HeadDirectionBatch destination, bool encodeTargets)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.CellCount != Cells.Count)
            throw new ArgumentException($"destination has {destination.CellCount} cells; expected {Cells.Count}.", nameof(destination));
        if (destination.TimeSteps != Options.SequenceLength)
            throw new ArgumentException($"destination has {destination.TimeSteps} time steps; expected SequenceLength = {Options.SequenceLength}.", nameof(destination));
        int batch = destination.BatchSize, time = destination.TimeSteps;
        // Scratch for the draws comes from the shared pool, so that a trainer calling this every step allocates nothing.
        double[] scratch = ArrayPool<double>.Shared.Rent(batch + batch * time);
        try
        {
            Fill(random, destination, scratch.AsSpan(0, batch), scratch.AsSpan(batch, batch * time));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
        Cells.Encode(destination.InitialHeading, destination.InitialState);
        destination.SetTargets(Cells, encodeTargets);
    }

    private void Fill(ITaskRandom random, HeadDirectionBatch destination, Span<double> start, Span<double> turns)
    {
        int batch = destination.BatchSize, time = destination.TimeSteps;
        start.Clear(); // "zero" start: nothing is drawn
        if (Options.UniformStart) random.Uniform(0.0, 2 * Math.PI, start);
        random.Normal(0.0, Options.TurnStd, turns);
        for (int b = 0; b < batch; b++)
        {
            double heading = start[b];
            destination.InitialHeading[b] = (float)Angles.Wrap(heading);
            for (int t = 0; t < time; t++)
            {
                double turn = turns[b * time + t];
                if (Options.Biased) turn = Math.Abs(turn);
                double step = Options.Dt * turn;
                heading += step;
                destination.Inputs[b * time + t] = (float)step;
                destination.Headings[b * time + t] = (float)Angles.Wrap(heading);
            }
        }
    }

    /// <inheritdoc />
    public IPathIntegrationBatch AllocateBatch(int batchSize) => new HeadDirectionBatch(batchSize, Options.SequenceLength, Cells.Count);

    void IPathIntegrationTask.NextBatch(ITaskRandom random, IPathIntegrationBatch destination) =>
        ((IPathIntegrationTask)this).NextBatch(random, destination, encodeTargets: true);

    void IPathIntegrationTask.NextBatch(ITaskRandom random, IPathIntegrationBatch destination, bool encodeTargets)
    {
        ArgumentNullException.ThrowIfNull(destination);
        NextBatch(random, destination as HeadDirectionBatch
            ?? throw new ArgumentException($"destination must be a {nameof(HeadDirectionBatch)}.", nameof(destination)), encodeTargets);
    }

    /// <summary>Top-3 circular decoding of HD-cell rows (<see cref="HeadDirectionCells.Decode"/>).</summary>
    /// <param name="outputs">[n, cells]; finite.</param>
    /// <param name="decoded">Receives [n] headings, rad.</param>
    /// <exception cref="ArgumentException">A length does not match or a value is not finite.</exception>
    public void Decode(ReadOnlySpan<float> outputs, Span<float> decoded) => Cells.Decode(outputs, decoded);

    /// <summary>Mean absolute circular error |wrap(decoded - truth)| (rad) and its mean square (rad^2).</summary>
    /// <param name="decoded">[n] headings, rad.</param>
    /// <param name="truth">[n] headings, rad.</param>
    /// <returns>(mean error, mean squared error).</returns>
    /// <exception cref="ArgumentException">Lengths differ or are zero.</exception>
    public (double MeanError, double MeanSquaredError) DecodingErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth)
    {
        Guard.Length(truth.Length, decoded.Length, nameof(truth), "decoded.Length");
        if (decoded.Length == 0) throw new ArgumentException("decoded must not be empty.", nameof(decoded));
        double sum = 0, sq = 0;
        for (int i = 0; i < decoded.Length; i++)
        {
            double d = Math.Abs(Angles.Difference(decoded[i], truth[i]));
            sum += d;
            sq += d * d;
        }
        return (sum / decoded.Length, sq / decoded.Length);
    }
}
