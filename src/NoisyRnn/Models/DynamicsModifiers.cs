using System.Globalization;

namespace NoisyRnn.Models;

/// <summary>
/// Changes to the dynamics of a recurrent network (issue 16; docs/replay.md): a leak override, spike-frequency-style
/// adaptation and momentum (underdamped Langevin dynamics). Applied to the quiescence of any trained network without
/// retraining (<see cref="Analysis.Quiescence"/>), and, adaptation and momentum only, to a <see cref="VanillaRnn"/>'s or a
/// <see cref="GruRnn"/>'s own dynamics in training and evaluation (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>).
/// <see cref="None"/> (every property at its default) is the network's own dynamics, bit for bit. Per step n, with h_n
/// the hidden state [batch, hidden], phi(h, x) the cell's step (input x, zero in quiescence; no noise) minus h, s the
/// per-step recurrent noise std and xi_n ~ N(0, I) the same draws as without modifiers:
/// <code>
/// leak:       the cell's alpha = dt/tau replaced by <see cref="Leak"/> inside phi (vanilla: h + Leak (act(u) − h);
///             GRU: h + Leak (z − 1)(h − act(u)))                                           quiescence only
/// adaptation: u_n ← u_n − a_n (the pre-activation inside act: the vanilla cell's W_rec h + W_in x (+ b), the GRU's candidate),
///             a_{n+1} = a_n (1 − 1/τ_a) + (b/τ_a) h_{n+1},  a_0 = 0     (Levenstein et al. 2024; b = <see cref="Adaptation"/>,
///             τ_a = <see cref="AdaptationTimeConstant"/>)                                  quiescence; training
/// momentum:   w_n = M w_{n−1} + (1 + M) phi(h_n, x_n) + √(1 − M²) s xi_n,  h_{n+1} = h_n + w_n,  w_{−1} = 0
///             (M = <see cref="Momentum"/>; M = 0 is h_{n+1} = h_n + phi(h_n, x_n) + s xi_n, the plain chain)
///                                                                                           quiescence; training
/// </code>
/// The momentum step is the heavy-ball form of the OBABO splitting of Leimkuhler &amp; Matthews (2013) used by
/// <see cref="Theory.UnderdampedLangevinSampler"/>, with the network's phi in place of σ²Δt ∇log p (THEORY.md,
/// "Quiescence is Langevin sampling"): friction and noise are matched (the velocity keeps the fraction M per step and its
/// noise is scaled by √(1 − M²)), so the stationary distribution of the overdamped chain is kept while its long-time
/// diffusion on a flat region is (1 + M)/(1 − M) times faster. In training the same recursions run with the task's input
/// inside phi and back-propagation through time goes through a and w; a leak override is refused there (the leak of
/// training is the network's own Dt/TimeConstant). Properties are checked when set.
/// </summary>
public sealed record DynamicsModifiers
{
    /// <summary>Default τ_a of <see cref="AdaptationTimeConstant"/>: 8 steps (Levenstein et al. 2024).</summary>
    public const double DefaultAdaptationTimeConstant = 8;

    /// <summary>No modifier: the network's own quiescence.</summary>
    public static DynamicsModifiers None { get; } = new();

    /// <summary>The leak alpha = dt/tau used in quiescence instead of the network's own, in (0, 1] (1: no memory of the
    /// previous state beyond the cell's own gating); null (default) keeps the network's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not null and not in (0, 1] (ParamName "Leak").</exception>
    public double? Leak
    {
        get;
        init
        {
            if (value is { } v && !(v > 0 && v <= 1))
                throw new ArgumentOutOfRangeException(nameof(Leak), v, $"Leak must be in (0, 1] (the quiescent dt/tau) or null; got {Format(v)}.");
            field = value;
        }
    }

    /// <summary>Adaptation strength b ≥ 0 (finite): the steady-state adaptation current per unit of h. 0 (default) is
    /// no adaptation; Levenstein et al. use about 0.3-0.5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite (ParamName "Adaptation").</exception>
    public double Adaptation
    {
        get;
        init
        {
            if (!(value >= 0 && double.IsFinite(value)))
                throw new ArgumentOutOfRangeException(nameof(Adaptation), value, $"Adaptation must be finite and >= 0 (the strength b); got {Format(value)}.");
            field = value;
        }
    }

    /// <summary>Adaptation time constant τ_a in steps, finite and ≥ 1 (1: a follows b·h with no memory). Default 8.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or not finite (ParamName "AdaptationTimeConstant").</exception>
    public double AdaptationTimeConstant
    {
        get;
        init
        {
            if (!(value >= 1 && double.IsFinite(value)))
                throw new ArgumentOutOfRangeException(nameof(AdaptationTimeConstant), value, $"AdaptationTimeConstant must be finite and >= 1 (steps); got {Format(value)}.");
            field = value;
        }
    } = DefaultAdaptationTimeConstant;

    /// <summary>Momentum M in [0, 1): the fraction of the velocity kept per step. 0 (default) is the overdamped chain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in [0, 1) (ParamName "Momentum").</exception>
    public double Momentum
    {
        get;
        init
        {
            if (!(value >= 0 && value < 1))
                throw new ArgumentOutOfRangeException(nameof(Momentum), value, $"Momentum must be in [0, 1) (the fraction of velocity kept per step); got {Format(value)}.");
            field = value;
        }
    }

    /// <summary>True when no modifier is active (no leak override, b = 0, M = 0): the run is the network's own quiescence.</summary>
    public bool IsNone => Leak is null && Adaptation == 0 && Momentum == 0;

    /// <summary>A short description such as "M 0.8, b 0.3 (tau_a 8), leak 1", or "none".</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        if (IsNone) return "none";
        var parts = new List<string>();
        if (Momentum != 0) parts.Add($"M {Format(Momentum)}");
        if (Adaptation != 0) parts.Add($"b {Format(Adaptation)} (tau_a {Format(AdaptationTimeConstant)})");
        if (Leak is { } leak) parts.Add($"leak {Format(leak)}");
        return string.Join(", ", parts);
    }

    /// <summary>These modifiers over a network's own trained ones (<paramref name="network"/>, no leak): a property left at its
    /// default here keeps the network's value (momentum M; adaptation b with its τ_a), any other value replaces it.</summary>
    internal DynamicsModifiers Over(DynamicsModifiers network)
    {
        if (network.IsNone) return this;
        var result = this;
        if (Momentum == 0) result = result with { Momentum = network.Momentum };
        if (Adaptation == 0) result = result with { Adaptation = network.Adaptation, AdaptationTimeConstant = network.AdaptationTimeConstant };
        return result;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
