using NoisyRnn.Noise;

namespace NoisyRnn.Theory;

/// <summary>
/// The discretised quiescent dynamics of THEORY.md ("Quiescence is Langevin sampling") run on a density whose score is
/// known: r ← r + σ² ∇ log p(r) Δt + σ_q √Δt ξ, ξ ~ N(0, I), one independent chain per starting point. σ² ∇ log p is
/// the denoising drift a noise-trained network learns (σ = the training noise in continuous-time units, per-step std
/// σ √Δt); σ_q is the quiescent noise. The chain's stationary density is π ∝ p^(2σ²/σ_q²) up to an O(Δt) bias
/// (<see cref="StationaryExponent"/>, <see cref="GridDensity.Tempered"/>).
/// </summary>
/// <remarks>Chains are split into fixed blocks of <see cref="ChainsPerBlock"/>; each block has its own Gaussian stream (xoshiro256**, Box-Muller in double)
/// derived from the seed and the block index and runs all its steps on one thread, so results for a seed do not depend
/// on the thread count. The score is evaluated for a whole block at once.</remarks>
public static class LangevinSampler
{
    /// <summary>Chains per block (the unit of parallel work and of noise streams).</summary>
    public const int ChainsPerBlock = 1024;

    /// <summary>The exponent β = 2σ²/σ_q² of the predicted stationary density π ∝ p^β (THEORY.md: σ_q = √2 σ gives p, σ_q = σ gives p²).</summary>
    /// <param name="sigma">σ of the drift σ² ∇ log p; finite and &gt; 0.</param>
    /// <param name="quiescentSigma">σ_q; finite and &gt; 0.</param>
    /// <returns>β.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite and positive.</exception>
    public static double StationaryExponent(double sigma, double quiescentSigma)
    {
        Guard.Positive(sigma);
        Guard.Positive(quiescentSigma);
        return 2 * sigma * sigma / (quiescentSigma * quiescentSigma);
    }

    /// <summary>
    /// Runs the chains for <paramref name="steps"/> steps and returns their final states. Circular densities
    /// (<see cref="IScoredDensity.IsCircular"/>) have their states wrapped into [−π, π) after every step.
    /// </summary>
    /// <param name="density">p, whose score gives the drift.</param>
    /// <param name="initial">Starting states, [chains, d] row-major; finite; at least one chain.</param>
    /// <param name="sigma">σ: the drift is σ² ∇ log p; finite and ≥ 0 (0: pure diffusion).</param>
    /// <param name="quiescentSigma">σ_q, noise per unit time (per-step std σ_q √Δt); finite and ≥ 0.</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <param name="steps">Number of steps; ≥ 0.</param>
    /// <param name="seed">Seed of the Gaussian draws.</param>
    /// <returns>Final states, [chains, d] row-major.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="initial"/> is empty, not [chains, d], or not finite.</exception>
    /// <exception cref="Models.SimulationDivergedException">A state became non-finite (Δt too large for the drift).</exception>
    public static double[] Run(IScoredDensity density, ReadOnlySpan<double> initial, double sigma, double quiescentSigma, double dt,
        int steps, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(density);
        Guard.NonNegative(sigma);
        Guard.NonNegative(quiescentSigma);
        Guard.Positive(dt);
        Guard.NonNegative(steps);
        int d = density.Dimensions;
        if (initial.Length == 0 || initial.Length % d != 0)
            throw new ArgumentException($"initial has length {initial.Length}; expected a positive multiple of d = {d} ([chains, d]).", nameof(initial));
        Guard.AllFinite(initial, nameof(initial));
        int chains = initial.Length / d;
        double[] state = initial.ToArray();
        double driftScale = sigma * sigma * dt, noiseScale = quiescentSigma * Math.Sqrt(dt);
        bool circular = density.IsCircular;
        int blocks = (chains + ChainsPerBlock - 1) / ChainsPerBlock;
        int divergedStep = int.MaxValue;
        Parallel.For(0, blocks, block =>
        {
            int start = block * ChainsPerBlock, count = Math.Min(ChainsPerBlock, chains - start);
            ulong blockSeed = SeedSequence.Block(seed, block);
            int diverged = RunBlock(density, state.AsSpan(start * d, count * d), driftScale, noiseScale, circular, steps, blockSeed);
            if (diverged >= 0)
            {
                lock (state) divergedStep = Math.Min(divergedStep, diverged);
            }
        });
        if (divergedStep != int.MaxValue) throw new Models.SimulationDivergedException(divergedStep, steps);
        return state;
    }

    // Runs one block of chains for all steps; returns the first step at which a state was not finite, or −1.
    // Optimised from the first call: under load, tiered compilation may otherwise keep this loop in unoptimised code
    // for seconds.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int RunBlock(IScoredDensity density, Span<double> x, double driftScale, double noiseScale, bool circular, int steps, ulong seed)
    {
        var score = new double[x.Length];
        var rng = new Xoshiro256(seed);
        for (int t = 0; t < steps; t++)
        {
            density.Score(x, score);
            double max = 0;
            for (int i = 0; i < x.Length; i += 2)
            {
                // Box-Muller in double from two 53-bit uniforms, u1 in (0, 1]: one pair of normals per two coordinates.
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
                    double v = x[j] + driftScale * score[j] + noiseScale * (j == i ? z0 : z1);
                    if (circular) v -= 2 * Math.PI * Math.Floor((v + Math.PI) / (2 * Math.PI));
                    x[j] = v;
                    max = Math.Max(max, Math.Abs(v));
                }
            }
            if (!double.IsFinite(max)) return t;
        }
        return -1;
    }
}
