using System.Buffers;

namespace NoisyRnn.Tasks;

/// <summary>
/// Simulates the paper's spatial navigation trajectories (Krishna et al., ICLR 2024, section 4.1; the random-walk
/// model of Sorscher et al.'s grid-cell code, with the paper's optional drift toward an anchor point).
/// </summary>
/// <remarks>
/// <para>Per trajectory the generator simulates T + 2 positions p_0 .. p_{T+1} (T = <see cref="SpatialNavigationOptions.SequenceLength"/>)
/// in float64. Step k (k = 0 .. T) takes the speed v_k (Rayleigh), and if the agent is within
/// <see cref="SpatialNavigationOptions.BorderRegion"/> of its nearest wall while heading toward it (angle to the
/// wall normal below pi/2), multiplies v_k by <see cref="SpatialNavigationOptions.BorderSlowFactor"/> and turns by
/// sign(a) (pi/2 - |a|), where a is the heading relative to that wall's outward direction. It then moves
/// p_{k+1} = p_k + v_k Dt (cos h_k, sin h_k) [+ DriftConstant (anchor - p_k) when biased] and turns
/// h_{k+1} = h_k + wall turn + Dt * turn noise.</para>
/// <para>Random draws, in this order (the reference's numpy call order, which <see cref="Reference.ReplayTaskRandom"/>
/// relies on): start x ~ U(-W/2, W/2) [batch]; start y ~ U(-H/2, H/2) [batch]; start heading ~ U(0, 2 pi) [batch];
/// turn noise ~ N(0, TurnStd^2) [batch, T + 1]; speeds ~ Rayleigh(RayleighScale) [batch, T + 1]; and one
/// N(0, (RayleighScale pi / 2)^2) [batch] that the reference draws and never uses (kept so streams stay aligned).</para>
/// <para>Reference quirks kept on purpose: the wall test takes the heading modulo 2 pi with a non-negative
/// remainder (numpy's <c>mod</c>); nearest-wall ties go to the first wall in the order +x, +y, -x, -y; the
/// slow-down and turn apply only to the nearest wall, so near corners and with large speeds a step can leave the
/// box by a few centimetres (positions are not clamped).</para>
/// </remarks>
public sealed class SpatialTrajectoryGenerator
{
    private const double TwoPi = 2.0 * Math.PI;

    /// <summary>Creates a generator.</summary>
    /// <param name="options">Task parameters; validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="SpatialNavigationOptions.Validate"/>).</exception>
    public SpatialTrajectoryGenerator(SpatialNavigationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The task parameters (immutable).</summary>
    public SpatialNavigationOptions Options { get; }

    /// <summary>Simulates <paramref name="batchSize"/> trajectories of <see cref="SpatialNavigationOptions.SequenceLength"/> steps.</summary>
    /// <param name="batchSize">Number of trajectories; &gt; 0.</param>
    /// <param name="random">The random stream; consumed in the order documented on the class.</param>
    /// <returns>A new batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="random"/> returned a non-finite draw, a replay stream does not
    /// match (see <see cref="Reference.ReplayTaskRandom"/>), or the options move the agent beyond the float32 range.</exception>
    public SpatialTrajectoryBatch Generate(int batchSize, ITaskRandom random)
    {
        Guard.Positive(batchSize);
        ArgumentNullException.ThrowIfNull(random);
        var batch = new SpatialTrajectoryBatch(batchSize, Options.SequenceLength);
        Generate(random, batch);
        return batch;
    }

    /// <summary>Simulates trajectories into an existing batch, reusing its arrays (no per-call allocation of outputs).</summary>
    /// <param name="random">The random stream; consumed in the order documented on the class.</param>
    /// <param name="destination">The batch to overwrite; its <see cref="SpatialTrajectoryBatch.TimeSteps"/> must equal <see cref="SpatialNavigationOptions.SequenceLength"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong number of time steps.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="random"/> returned a non-finite draw, a replay stream does not
    /// match (see <see cref="Reference.ReplayTaskRandom"/>), or the options (for example a huge RayleighScale or Dt) move the agent beyond
    /// the float32 range.</exception>
    public void Generate(ITaskRandom random, SpatialTrajectoryBatch destination)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(destination);
        SpatialNavigationOptions o = Options;
        int steps = o.SequenceLength;
        if (destination.TimeSteps != steps)
            throw new ArgumentException($"destination has {destination.TimeSteps} time steps; expected SequenceLength = {steps}.", nameof(destination));
        int batch = destination.BatchSize;
        int simulated = steps + 1; // moves k = 0 .. T

        // Scratch for the draws comes from the shared pool, so that a trainer calling this every step allocates nothing.
        double[] scratch = ArrayPool<double>.Shared.Rent(4 * batch + 2 * batch * simulated);
        try
        {
            Simulate(random, destination, scratch, batch, simulated);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    private void Simulate(ITaskRandom random, SpatialTrajectoryBatch destination, double[] scratch, int batch, int simulated)
    {
        SpatialNavigationOptions o = Options;
        int steps = o.SequenceLength;
        Span<double> startX = scratch.AsSpan(0, batch);
        Span<double> startY = scratch.AsSpan(batch, batch);
        Span<double> startHeading = scratch.AsSpan(2 * batch, batch);
        Span<double> unused = scratch.AsSpan(3 * batch, batch);
        Span<double> turnNoise = scratch.AsSpan(4 * batch, batch * simulated);
        Span<double> speeds = scratch.AsSpan(4 * batch + batch * simulated, batch * simulated);
        random.Uniform(-o.BoxWidth / 2, o.BoxWidth / 2, startX);
        random.Uniform(-o.BoxHeight / 2, o.BoxHeight / 2, startY);
        random.Uniform(0, TwoPi, startHeading);
        random.Normal(0, o.TurnStd, turnNoise);
        random.Rayleigh(o.RayleighScale, speeds);
        random.Normal(0, o.RayleighScale * Math.PI / 2, unused);
        RequireFinite(startX, "start x");
        RequireFinite(startY, "start y");
        RequireFinite(startHeading, "start heading");
        RequireFinite(turnNoise, "turn noise");
        RequireFinite(speeds, "speed");

        for (int b = 0; b < batch; b++)
        {
            double x = startX[b], y = startY[b], heading = startHeading[b];
            for (int k = 0; k < simulated; k++)
            {
                double v = speeds[b * simulated + k];
                double turn = WallTurn(x, y, heading, out bool nearWall);
                if (nearWall) v *= o.BorderSlowFactor;
                turn += o.Dt * turnNoise[b * simulated + k];

                double distance = v * o.Dt;
                (double sin, double cos) = Math.SinCos(heading);
                double ux = distance * cos, uy = distance * sin;
                if (o.Biased)
                {
                    ux += o.DriftConstant * (o.AnchorX - x);
                    uy += o.DriftConstant * (o.AnchorY - y);
                }

                if (k >= 1)
                {
                    int s = b * steps + (k - 1);
                    destination.Velocity[2 * s] = (float)ux;
                    destination.Velocity[2 * s + 1] = (float)uy;
                    destination.Speed[s] = (float)distance;
                    destination.HeadDirection[s] = (float)(NumpyMod(heading + Math.PI, TwoPi) - Math.PI);
                }

                x += ux;
                y += uy;
                if (k == 0)
                {
                    destination.InitialPosition[2 * b] = (float)x;
                    destination.InitialPosition[2 * b + 1] = (float)y;
                }
                else
                {
                    int s = b * steps + (k - 1);
                    destination.Positions[2 * s] = (float)x;
                    destination.Positions[2 * s + 1] = (float)y;
                }

                heading += turn;
            }
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(destination.Positions)
            || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(destination.Velocity)
            || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(destination.InitialPosition)
            || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(destination.Speed))
            throw new InvalidOperationException(
                $"The simulated trajectories left the float32 range (RayleighScale = {o.RayleighScale}, Dt = {o.Dt}, TurnStd = {o.TurnStd}, " +
                $"box {o.BoxWidth} x {o.BoxHeight}); reduce RayleighScale or Dt.");
    }

    private static void RequireFinite(ReadOnlySpan<double> draws, string what)
    {
        for (int i = 0; i < draws.Length; i++)
        {
            if (!double.IsFinite(draws[i]))
                throw new InvalidOperationException($"The task random stream returned a non-finite {what} draw ({draws[i]}) at index {i}.");
        }
    }

    /// <summary>Wall avoidance of the reference: the turn away from the nearest wall, and whether to slow down.</summary>
    private double WallTurn(double x, double y, double heading, out bool nearWall)
    {
        SpatialNavigationOptions o = Options;
        // Distances to the walls at +x, +y, -x, -y; the first minimum wins, as numpy's argmin.
        double best = o.BoxWidth / 2 - x;
        int wall = 0;
        double d = o.BoxHeight / 2 - y;
        if (d < best) { best = d; wall = 1; }
        d = o.BoxWidth / 2 + x;
        if (d < best) { best = d; wall = 2; }
        d = o.BoxHeight / 2 + y;
        if (d < best) { best = d; wall = 3; }

        double wallAngle = wall * Math.PI / 2;
        double relative = NumpyMod(NumpyMod(heading, TwoPi) - wallAngle + Math.PI, TwoPi) - Math.PI;
        nearWall = best < o.BorderRegion && Math.Abs(relative) < Math.PI / 2;
        return nearWall ? Math.Sign(relative) * (Math.PI / 2 - Math.Abs(relative)) : 0.0;
    }

    /// <summary>numpy's float <c>mod</c> for a positive divisor: the C remainder shifted into [0, m) (may round to m).</summary>
    internal static double NumpyMod(double value, double modulus)
    {
        double r = value % modulus; // C fmod: sign of the dividend
        if (r < 0) r += modulus;
        else if (r == 0) r = 0.0; // numpy returns +0 with the divisor's sign
        return r;
    }
}
