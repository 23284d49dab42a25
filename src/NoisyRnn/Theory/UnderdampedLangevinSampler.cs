using NoisyRnn.Noise;

namespace NoisyRnn.Theory;

/// <summary>
/// Underdamped (kinetic, second-order) Langevin dynamics on a density whose score is known, beside the overdamped
/// <see cref="LangevinSampler"/>: every chain carries a position x and a velocity w (a displacement per step, same unit
/// as x), and the friction is set by the momentum M ∈ [0, 1), the fraction of velocity kept per step. With the noise
/// matched to the friction (fluctuation-dissipation) the stationary position marginal is the same π ∝ p^(2σ²/σ_q²) as the
/// overdamped chain's, up to an O(Δt) bias (for a Gaussian p the same bias for every M, see below); M = 0 is exactly
/// the overdamped update, bit for bit.
/// </summary>
/// <remarks>
/// <para>The update, for each step n (a = σ²Δt, s = σ_q √Δt, ξ_n ~ N(0, I) independent, w_{−1} = 0: chains start at rest):</para>
/// <code>
/// w_n     = M w_{n−1} + (1 + M) a ∇log p(x_n) + √(1 − M²) s ξ_n
/// x_{n+1} = x_n + w_n
/// </code>
/// <para>This is the OBABO splitting of Leimkuhler &amp; Matthews (Appl. Math. Res. Express 2013, "Rational construction
/// of stochastic numerical methods for molecular sampling"; Molecular Dynamics, Springer 2015, §7.3) of
/// dx = u dt, m du = −∇U dt − γ m u dt + √(2γm) dW with U = −β log p (β = 2σ²/σ_q², temperature 1), step Δt, mass
/// m = Δt/σ_q² and friction γ = −ln M / Δt (<see cref="Friction"/>): with w = u Δt its half kicks are
/// B: w ← w + a ∇log p(x), its drift A: x ← x + w, and its two half-step Ornstein-Uhlenbeck steps are
/// O: w ← √M w + √(1 − M) s ξ (exact for the velocity, whose stationary std is s). Merging the last O of one step with
/// the first O of the next (an exact OU step w ← M w + √(1 − M²) s ξ) and folding the second B into the velocity gives
/// the heavy-ball form above, with the same positions for every M. In unit-mass variables the step is h = σ_q √Δt;
/// OBABO's stationary (configurational) error is O(h²) = O(Δt) for every friction (Leimkuhler &amp; Matthews 2013), and
/// for M = 0 (infinite friction) it is the Euler-Maruyama step of <see cref="LangevinSampler"/>
/// (x ← x + σ²Δt ∇log p + σ_q√Δt ξ), whose stationary bias is also O(Δt).</para>
/// <para>For a Gaussian p = N(μ, v) the chain is an AR(2) process with stationary variance (v/β) / (1 − σ²Δt/(2v)) for
/// every M (the overdamped chain's, exactly), and its integrated autocorrelation time is (1 − M)/(1 + M) times the
/// overdamped one, (2 − σ²Δt/v)/(σ²Δt/v). On a flat density (σ = 0 or ∇log p = 0) the long-time diffusion coefficient is
/// <see cref="DiffusionSpeedup"/> = (1 + M)/(1 − M) times σ_q²/2: that is the temporal compression momentum brings.</para>
/// <para>Chains are split into the same blocks of <see cref="LangevinSampler.ChainsPerBlock"/> with the same per-block
/// Gaussian streams (xoshiro256**, Box-Muller in double) as <see cref="LangevinSampler"/>, one Gaussian per coordinate
/// and step; results for a seed do not depend on the thread count.</para>
/// </remarks>
public static class UnderdampedLangevinSampler
{
    /// <summary>
    /// The factor (1 + M)/(1 − M) by which momentum multiplies the long-time diffusion coefficient on a flat density
    /// (and divides the integrated autocorrelation time of a Gaussian target): 1 for M = 0, 3 for 0.5, 19 for 0.9.
    /// </summary>
    /// <param name="momentum">M, the fraction of velocity kept per step; in [0, 1).</param>
    /// <returns>(1 + M)/(1 − M) ≥ 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1).</exception>
    public static double DiffusionSpeedup(double momentum)
    {
        CheckMomentum(momentum);
        return (1 + momentum) / (1 - momentum);
    }

    /// <summary>The friction γ = −ln M / Δt (per unit time) of the continuous-time dynamics that momentum M discretises.</summary>
    /// <param name="momentum">M; in [0, 1). M = 0 gives +∞ (the overdamped limit).</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <returns>γ &gt; 0, or +∞ for M = 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static double Friction(double momentum, double dt)
    {
        CheckMomentum(momentum);
        Guard.Positive(dt);
        return momentum == 0 ? double.PositiveInfinity : -Math.Log(momentum) / dt;
    }

    /// <summary>The momentum M = exp(−γ Δt) for a friction γ: the inverse of <see cref="Friction"/>.</summary>
    /// <param name="friction">γ per unit time; &gt; 0 (+∞ allowed: M = 0).</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <returns>M in [0, 1).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static double MomentumForFriction(double friction, double dt)
    {
        if (!(friction > 0)) throw new ArgumentOutOfRangeException(nameof(friction), friction, "friction must be > 0 (+infinity: the overdamped limit).");
        Guard.Positive(dt);
        return Math.Exp(-friction * dt);
    }

    /// <summary>
    /// Runs the chains for <paramref name="steps"/> steps from rest (w = 0) and returns their final positions. Circular
    /// densities (<see cref="IScoredDensity.IsCircular"/>) have their positions wrapped into [−π, π) after every step
    /// (velocities are displacements and are not wrapped).
    /// </summary>
    /// <param name="density">p, whose score gives the drift.</param>
    /// <param name="initial">Starting positions, [chains, d] row-major; finite; at least one chain.</param>
    /// <param name="sigma">σ: the drift is σ² ∇ log p; finite and ≥ 0 (0: free diffusion).</param>
    /// <param name="quiescentSigma">σ_q, noise per unit time (per-step std σ_q √Δt before the √(1 − M²) matching); finite and ≥ 0.</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <param name="momentum">M, the fraction of velocity kept per step; in [0, 1); 0 = <see cref="LangevinSampler.Run"/>, bit for bit.</param>
    /// <param name="steps">Number of steps; ≥ 0.</param>
    /// <param name="seed">Seed of the Gaussian draws (the same streams as <see cref="LangevinSampler.Run"/>).</param>
    /// <returns>Final positions, [chains, d] row-major.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="initial"/> is empty, not [chains, d], or not finite.</exception>
    /// <exception cref="Models.SimulationDivergedException">A position became non-finite (Δt too large for the drift).</exception>
    public static double[] Run(IScoredDensity density, ReadOnlySpan<double> initial, double sigma, double quiescentSigma, double dt,
        double momentum, int steps, ulong seed) =>
        Simulate(density, initial, sigma, quiescentSigma, dt, momentum, steps, seed, record: false);

    /// <summary>
    /// As <see cref="Run"/>, but returns every position of every chain: [chains, steps + 1, d] row-major, step 0 being
    /// the initial position (for autocorrelation times and mean squared displacements).
    /// </summary>
    /// <param name="density">p, whose score gives the drift.</param>
    /// <param name="initial">Starting positions, [chains, d] row-major; finite; at least one chain.</param>
    /// <param name="sigma">σ: the drift is σ² ∇ log p; finite and ≥ 0.</param>
    /// <param name="quiescentSigma">σ_q; finite and ≥ 0.</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <param name="momentum">M; in [0, 1).</param>
    /// <param name="steps">Number of steps; ≥ 0; chains · (steps + 1) · d must fit in an array.</param>
    /// <param name="seed">Seed of the Gaussian draws.</param>
    /// <returns>Positions, [chains, steps + 1, d] row-major.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range, or the record would not fit in an array.</exception>
    /// <exception cref="ArgumentException"><paramref name="initial"/> is empty, not [chains, d], or not finite.</exception>
    /// <exception cref="Models.SimulationDivergedException">A position became non-finite.</exception>
    public static double[] Trajectories(IScoredDensity density, ReadOnlySpan<double> initial, double sigma, double quiescentSigma, double dt,
        double momentum, int steps, ulong seed) =>
        Simulate(density, initial, sigma, quiescentSigma, dt, momentum, steps, seed, record: true);

    private static void CheckMomentum(double momentum, string name = "momentum")
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(name, momentum, $"{name} must be in [0, 1): the fraction of velocity kept per step (0 = overdamped).");
    }

    private static double[] Simulate(IScoredDensity density, ReadOnlySpan<double> initial, double sigma, double quiescentSigma, double dt,
        double momentum, int steps, ulong seed, bool record)
    {
        ArgumentNullException.ThrowIfNull(density);
        Guard.NonNegative(sigma);
        Guard.NonNegative(quiescentSigma);
        Guard.Positive(dt);
        CheckMomentum(momentum);
        Guard.NonNegative(steps);
        int d = density.Dimensions;
        if (initial.Length == 0 || initial.Length % d != 0)
            throw new ArgumentException($"initial has length {initial.Length}; expected a positive multiple of d = {d} ([chains, d]).", nameof(initial));
        Guard.AllFinite(initial, nameof(initial));
        int chains = initial.Length / d;
        double[] state = initial.ToArray();
        double[]? trajectories = null;
        if (record)
        {
            long length = (long)chains * (steps + 1L) * d;
            if (length > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(steps), steps, $"chains · (steps + 1) · d = {length} exceeds the largest array ({Array.MaxLength}).");
            trajectories = new double[length];
        }
        // Same association as LangevinSampler for M = 0: (σ·σ)·Δt·1 and 1·(σ_q·√Δt) are the overdamped scales exactly.
        double driftScale = sigma * sigma * dt * (1 + momentum);
        double noiseScale = Math.Sqrt(1 - momentum * momentum) * (quiescentSigma * Math.Sqrt(dt));
        bool circular = density.IsCircular;
        int blocks = (chains + LangevinSampler.ChainsPerBlock - 1) / LangevinSampler.ChainsPerBlock;
        int divergedStep = int.MaxValue;
        Parallel.For(0, blocks, block =>
        {
            int start = block * LangevinSampler.ChainsPerBlock, count = Math.Min(LangevinSampler.ChainsPerBlock, chains - start);
            ulong blockSeed = SeedSequence.Block(seed, block);
            int diverged = RunBlock(density, state.AsSpan(start * d, count * d), driftScale, noiseScale, momentum, circular, steps, blockSeed,
                trajectories, start, d);
            if (diverged >= 0)
            {
                lock (state) divergedStep = Math.Min(divergedStep, diverged);
            }
        });
        if (divergedStep != int.MaxValue) throw new Models.SimulationDivergedException(divergedStep, steps);
        return trajectories ?? state;
    }

    // Runs one block of chains for all steps; returns the first step at which a position was not finite, or −1.
    // The draws and the position arithmetic are LangevinSampler.RunBlock's, so M = 0 reproduces it bit for bit:
    // (x + a·score) + (0·w + s·z) = (x + a·score) + s·z.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int RunBlock(IScoredDensity density, Span<double> x, double driftScale, double noiseScale, double momentum, bool circular,
        int steps, ulong seed, double[]? trajectories, int firstChain, int d)
    {
        var score = new double[x.Length];
        var velocity = new double[x.Length];
        var rng = new Xoshiro256(seed);
        int count = x.Length / d;
        if (trajectories is not null) Record(trajectories, x, 0, steps, firstChain, count, d);
        for (int t = 0; t < steps; t++)
        {
            density.Score(x, score);
            double max = 0;
            for (int i = 0; i < x.Length; i += 2)
            {
                double z0 = 0, z1 = 0;
                if (noiseScale > 0)
                {
                    double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);
                    double u2 = (rng.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
                    double radius = Math.Sqrt(-2.0 * Math.Log(u1));
                    (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
                    z0 = radius * cos;
                    z1 = radius * sin;
                }
                for (int j = i; j < Math.Min(i + 2, x.Length); j++)
                {
                    double kick = driftScale * score[j];
                    double rest = momentum * velocity[j] + noiseScale * (j == i ? z0 : z1);
                    double v = x[j] + kick + rest;
                    velocity[j] = kick + rest;
                    if (circular) v -= 2 * Math.PI * Math.Floor((v + Math.PI) / (2 * Math.PI));
                    x[j] = v;
                    max = Math.Max(max, Math.Abs(v));
                }
            }
            if (!double.IsFinite(max)) return t;
            if (trajectories is not null) Record(trajectories, x, t + 1, steps, firstChain, count, d);
        }
        return -1;
    }

    private static void Record(double[] trajectories, ReadOnlySpan<double> x, int t, int steps, int firstChain, int count, int d)
    {
        for (int c = 0; c < count; c++)
            x.Slice(c * d, d).CopyTo(trajectories.AsSpan((int)(((long)(firstChain + c) * (steps + 1) + t) * d), d));
    }
}
