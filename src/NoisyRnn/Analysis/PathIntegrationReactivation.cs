using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>
/// The paper's reactivation analysis for any path-integration task (Sec. 4, Figs. 2-3): decode active and quiescent
/// outputs with the task's top-3 rule, fit kernel density estimates, compare them by Monte Carlo KL, and measure the
/// output variance and step distance of the decoded trajectories. For the spatial task the densities are Gaussian KDEs of
/// the decoded positions (Scott's rule). For head direction the decoded heading is 1-D and
/// circular: in paper mode its density is the von Mises <see cref="CircularKde"/> (<see cref="HeadingDensity.VonMises"/>),
/// and the reference's 1-D Gaussian KDE of the wrapped heading (which underestimates the density near ±π and depends on
/// where on the circle the data lie) stays available as <see cref="HeadingDensity.LinearGaussian"/>. The variance and the
/// step distance are measured on each chain's unwrapped heading (successive steps joined by their circular difference), so
/// a crossing of ±π is a small step, not a jump of 2 pi.
/// </summary>
public static class PathIntegrationReactivation
{
    /// <summary>Runs the network on a waking batch (training noise) and decodes its outputs.</summary>
    /// <param name="model">Trained network.</param>
    /// <param name="task">The task (decoder).</param>
    /// <param name="batch">Waking batch of that task.</param>
    /// <param name="noise">Noise during the active run (the training noise, as the reference).</param>
    /// <param name="seed">Seed of the noise streams.</param>
    /// <param name="distribution">Distribution of the raw input and recurrent draws.</param>
    /// <returns>Decoded coordinates [batch, time, task.DecodedSize].</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Sizes do not match the model (ParamName "task" when its cell count differs from the
    /// model's OutputSize).</exception>
    public static float[] DecodeActive(IRecurrentNetwork model, IPathIntegrationTask task, IPathIntegrationBatch batch, NoiseLevels noise,
        ulong seed, NoiseDistribution distribution = NoiseDistribution.StandardNormal)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(noise);
        CheckCells(model, task);
        var tape = model.CreateTape(batch.BatchSize, batch.TimeSteps);
        model.Forward(batch.Inputs, batch.InitialState, noise, NoiseStreams.FromSeed(seed, distribution), tape);
        var decoded = new float[batch.BatchSize * batch.TimeSteps * task.DecodedSize];
        task.Decode(tape.Outputs, decoded);
        return decoded;
    }

    /// <summary>Fits the Gaussian KDE (Scott's rule) of decoded coordinates [n, task.DecodedSize] (headings: 1-D, wrapped to
    /// [−π, π)): the reference's estimator for every task. For the paper-mode heading density use
    /// <see cref="Density(IPathIntegrationTask, ReadOnlySpan{float}, HeadingDensity)"/>.</summary>
    /// <param name="task">The task (gives the dimension).</param>
    /// <param name="decoded">Decoded coordinates, row-major.</param>
    /// <returns>The density estimate.</returns>
    /// <exception cref="DegenerateDataException">The data have a singular covariance (for example all equal).</exception>
    public static GaussianKde Density(IPathIntegrationTask task, ReadOnlySpan<float> decoded)
    {
        ArgumentNullException.ThrowIfNull(task);
        var data = new double[decoded.Length];
        for (int i = 0; i < data.Length; i++) data[i] = task.IsCircular ? Angles.Wrap(decoded[i]) : decoded[i];
        return new GaussianKde(data, task.DecodedSize, BandwidthRule.Scott);
    }

    /// <summary>
    /// Fits the density of decoded coordinates [n, task.DecodedSize] with the estimator of the task and mode: for circular
    /// tasks (head direction) a <see cref="CircularKde"/> (Scott's rule on the circle) when <paramref name="heading"/> is
    /// <see cref="HeadingDensity.VonMises"/>, else the linear <see cref="GaussianKde"/> of the wrapped heading; for other
    /// tasks always the <see cref="GaussianKde"/> with Scott's rule (as <see cref="Density(IPathIntegrationTask, ReadOnlySpan{float})"/>).
    /// </summary>
    /// <param name="task">The task (gives the dimension and whether it is circular).</param>
    /// <param name="decoded">Decoded coordinates, [n, task.DecodedSize] row-major, finite (headings in rad).</param>
    /// <param name="heading">Estimator of headings; ignored for non-circular tasks.</param>
    /// <returns>The density estimate (its <see cref="IKernelDensity.Estimator"/> names it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="heading"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">A non-finite coordinate.</exception>
    /// <exception cref="DegenerateDataException">No spread to set a bandwidth from (for example all values equal).</exception>
    public static IKernelDensity Density(IPathIntegrationTask task, ReadOnlySpan<float> decoded, HeadingDensity heading)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Enum.IsDefined(heading)) throw new ArgumentOutOfRangeException(nameof(heading), heading, "heading must be VonMises or LinearGaussian.");
        if (!task.IsCircular || heading == HeadingDensity.LinearGaussian) return Density(task, decoded);
        Guard.AllFinite(decoded, nameof(decoded));
        var angles = new double[decoded.Length];
        for (int i = 0; i < angles.Length; i++) angles[i] = decoded[i];
        return new CircularKde(angles);
    }

    /// <summary>
    /// <see cref="Density(IPathIntegrationTask, ReadOnlySpan{float}, HeadingDensity)"/> with
    /// <see cref="ReactivationOptions.HeadingDensity"/> (paper mode by default: the von Mises KDE for headings).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="decoded">Decoded coordinates, [n, task.DecodedSize] row-major, finite.</param>
    /// <param name="options">The analysis options (only <see cref="ReactivationOptions.HeadingDensity"/> is read).</param>
    /// <returns>The density estimate.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A non-finite coordinate.</exception>
    /// <exception cref="DegenerateDataException">No spread to set a bandwidth from.</exception>
    public static IKernelDensity Density(IPathIntegrationTask task, ReadOnlySpan<float> decoded, ReactivationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Density(task, decoded, options.HeadingDensity);
    }

    /// <summary>The <see cref="HeadingDensity"/> that fits densities of the same kind as <paramref name="density"/>:
    /// <see cref="HeadingDensity.VonMises"/> for a <see cref="CircularKde"/>, <see cref="HeadingDensity.LinearGaussian"/>
    /// otherwise.</summary>
    /// <param name="density">A fitted density.</param>
    /// <returns>The matching estimator choice.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    public static HeadingDensity EstimatorOf(IKernelDensity density)
    {
        ArgumentNullException.ThrowIfNull(density);
        return density is CircularKde ? HeadingDensity.VonMises : HeadingDensity.LinearGaussian;
    }

    /// <summary>
    /// Returns a copy of [batch, steps, 1] angle trajectories with each chain unwrapped: u_0 = theta_0,
    /// u_t = u_{t-1} + wrap(theta_t - theta_{t-1}).
    /// </summary>
    /// <param name="angles">Angles, rad, [batch, steps].</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="steps">Steps per chain; &gt; 0.</param>
    /// <returns>The unwrapped trajectories, rad.</returns>
    /// <exception cref="ArgumentException">The length is not batch·steps.</exception>
    public static float[] Unwrap(ReadOnlySpan<float> angles, int batch, int steps)
    {
        Guard.Positive(batch);
        Guard.Positive(steps);
        Guard.Length(angles.Length, (long)batch * steps, nameof(angles), $"[batch, steps] = [{batch}, {steps}]");
        var result = new float[angles.Length];
        for (int b = 0; b < batch; b++)
        {
            double u = angles[b * steps];
            result[b * steps] = (float)u;
            for (int t = 1; t < steps; t++)
            {
                u += Angles.Difference(angles[b * steps + t], angles[b * steps + t - 1]);
                result[b * steps + t] = (float)u;
            }
        }
        return result;
    }

    /// <summary>Mean step distance of waking decoded trajectories [batch, time, DecodedSize] (circular for head direction).</summary>
    /// <param name="task">The task.</param>
    /// <param name="decoded">Decoded coordinates.</param>
    /// <param name="batch">Trajectories.</param>
    /// <param name="time">Steps.</param>
    /// <returns>Mean distance per step, in the task's unit.</returns>
    /// <exception cref="ArgumentException">Sizes do not match.</exception>
    public static double MeanStepDistance(IPathIntegrationTask task, ReadOnlySpan<float> decoded, int batch, int time)
    {
        ArgumentNullException.ThrowIfNull(task);
        ReadOnlySpan<float> data = task.IsCircular ? Unwrap(decoded, batch, time) : decoded;
        return ReactivationMetrics.MeanStepDistance(data, batch, time, task.DecodedSize);
    }

    /// <summary>Runs quiescence from the encoded start states and measures it against the active density.</summary>
    /// <param name="model">Trained network.</param>
    /// <param name="task">The task (decoder).</param>
    /// <param name="initState">Population code of the start states, [batch, cells]; chains start at Encode of it, as in the reference.</param>
    /// <param name="batch">Number of chains; &gt; 0.</param>
    /// <param name="activeDensity">Density of the active decoded coordinates (see <see cref="Density(IPathIntegrationTask, ReadOnlySpan{float}, ReactivationOptions)"/>);
    /// the quiescent density is fitted with the same estimator (<see cref="EstimatorOf"/>), so both sides of the KL are of one kind.</param>
    /// <param name="quiescentNoiseStd">Per-step recurrent noise std during quiescence; &gt;= 0.</param>
    /// <param name="options">Lengths, sample counts and the runaway threshold.</param>
    /// <param name="modifiers">Changes to the quiescent dynamics (<see cref="DynamicsModifiers"/>); null or
    /// <see cref="DynamicsModifiers.None"/> (default) for the network's own.</param>
    /// <returns>The quiescent metrics and decoded trajectories (headings wrapped), the estimator's name and the runaway check
    /// (<see cref="QuiescentReport.Runaway"/>; a run that ran away has no KL).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or size is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="activeDensity"/> has a dimension other than task.DecodedSize, the
    /// task's cell count differs from the model's OutputSize (ParamName "task"), or a modifier the model cannot take
    /// (ParamName "modifiers").</exception>
    /// <exception cref="SimulationDivergedException">The quiescent state became non-finite.</exception>
    public static QuiescentReport Analyze(IRecurrentNetwork model, IPathIntegrationTask task, ReadOnlySpan<float> initState, int batch,
        IKernelDensity activeDensity, float quiescentNoiseStd, ReactivationOptions options, DynamicsModifiers? modifiers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(activeDensity);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.Positive(batch);
        Guard.NonNegative(quiescentNoiseStd);
        CheckCells(model, task);
        int dims = task.DecodedSize;
        if (activeDensity.Dimensions != dims)
            throw new ArgumentException($"activeDensity has {activeDensity.Dimensions} dimension(s); expected task.DecodedSize = {dims}.", nameof(activeDensity));

        int hiddenSize = model.NetworkOptions.HiddenSize;
        var hidden0 = new float[batch * hiddenSize];
        model.Encode(initState, batch, hidden0);
        int steps = options.TotalSteps;
        ulong noiseSeed = SeedSequence.Derive(options.Seed, SeedSequence.NoiseStream, 0);
        INoiseSource noise = NoiseStreams.Source(noiseSeed, options.NoiseDistribution);
        var norms = new double[(long)batch * steps];
        float[] decoded = Quiescence.Record(model, hidden0, batch, steps, quiescentNoiseStd, noise, modifiers, (y, d) => task.Decode(y, d), dims, 0, norms).Decoded!;

        double referenceNorm = options.RunawayReferenceNorm ?? Runaway.StateNorms(hidden0, hiddenSize).Average();
        RunawayReport? runaway = referenceNorm > 0 && double.IsFinite(referenceNorm)
            ? Runaway.Detect(norms, batch, steps, referenceNorm, options.RunawayNormFactor)
            : null;

        KlEstimate? kl = null;
        string? note = null;
        IKernelDensity? quiescentDensity = null;
        if (runaway is { RanAway: true })
        {
            note = "no KL: the quiescent state " + runaway.Describe();
        }
        else
        {
            try
            {
                quiescentDensity = Density(task, Window(decoded, batch, steps, dims, options.KlSteps), EstimatorOf(activeDensity));
                kl = KlDivergence.MonteCarlo(quiescentDensity, activeDensity, options.KlSamples,
                    SeedSequence.Derive(options.Seed, SeedSequence.AnalysisStream, 0));
            }
            catch (DegenerateDataException e)
            {
                note = "no quiescent density: " + e.Message;
            }
        }

        float[] metricData = task.IsCircular ? Unwrap(decoded, batch, steps) : decoded;
        double variance = ReactivationMetrics.OutputVariance(Window(metricData, batch, steps, dims, options.VarianceSteps), batch, options.VarianceSteps, dims, options.VarianceShift);
        double stepDistance = ReactivationMetrics.MeanStepDistance(Window(metricData, batch, steps, dims, options.StepDistanceSteps), batch, options.StepDistanceSteps, dims);
        double? drift = null;
        if (task.IsCircular && steps > 1)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += (metricData[(b + 1) * steps - 1] - metricData[b * steps]) / (steps - 1.0);
            drift = sum / batch;
        }
        return new QuiescentReport(quiescentNoiseStd, kl, note, variance, stepDistance, decoded, batch, steps)
        {
            MeanSignedStep = drift,
            QuiescentEstimate = quiescentDensity,
            DensityEstimator = activeDensity.Estimator,
            Runaway = runaway,
        };
    }

    private static void CheckCells(IRecurrentNetwork model, IPathIntegrationTask task)
    {
        if (task.OutputSize != model.NetworkOptions.OutputSize)
            throw new ArgumentException($"task has {task.OutputSize} cells; expected the model's OutputSize = {model.NetworkOptions.OutputSize}.", nameof(task));
    }

    private static float[] Window(float[] trajectories, int batch, int steps, int dims, int length)
    {
        if (length == steps) return trajectories;
        var w = new float[batch * length * dims];
        for (int b = 0; b < batch; b++)
            trajectories.AsSpan(b * steps * dims, length * dims).CopyTo(w.AsSpan(b * length * dims));
        return w;
    }
}
