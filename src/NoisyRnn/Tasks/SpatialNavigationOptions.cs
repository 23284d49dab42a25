namespace NoisyRnn.Tasks;

/// <summary>
/// Parameters of the spatial navigation task (Krishna et al., ICLR 2024, section 4.1 and appendix; the trajectory
/// model is the one of Sorscher et al.'s grid-cell code): an agent moves in a rectangular box centred on the
/// origin with random turns and Rayleigh-distributed speeds, slows down and turns away near the walls, and, when
/// <see cref="Biased"/>, drifts toward an anchor point. Defaults are the paper's values. Names of the reference
/// implementation are given in each property's remarks.
/// </summary>
public sealed record SpatialNavigationOptions
{
    /// <summary>Width of the box along x, m; &gt; 0. The box spans [-BoxWidth/2, BoxWidth/2]. Reference: <c>box_width</c>. Default 2.2.</summary>
    public double BoxWidth { get; init; } = 2.2;

    /// <summary>Height of the box along y, m; &gt; 0. The box spans [-BoxHeight/2, BoxHeight/2]. Reference: <c>box_height</c>. Default 2.2.</summary>
    public double BoxHeight { get; init; } = 2.2;

    /// <summary>Time step of the trajectory simulation, s; &gt; 0. Reference: <c>dt</c>. Default 0.02.</summary>
    public double Dt { get; init; } = 0.02;

    /// <summary>Standard deviation of the rotational velocity, rad/s; &gt;= 0 (the turn per step is Dt times a N(0, TurnStd^2) draw). Reference: <c>sigma</c>. Default 11.52.</summary>
    public double TurnStd { get; init; } = 11.52;

    /// <summary>Scale of the Rayleigh distribution of forward speed, m/s; &gt; 0 (mean speed = scale * sqrt(pi/2)). Reference: <c>b</c>. Default 0.26 pi.</summary>
    public double RayleighScale { get; init; } = 0.26 * Math.PI;

    /// <summary>Distance from a wall below which the agent slows down and turns away when heading toward it, m; &gt;= 0. Reference: <c>border_region</c>. Default 0.03.</summary>
    public double BorderRegion { get; init; } = 0.03;

    /// <summary>Factor applied to the speed in the border region when heading toward the wall; in [0, 1]. Reference: <c>border_slow_factor</c>. Default 0.25.</summary>
    public double BorderSlowFactor { get; init; } = 0.25;

    /// <summary>Whether each step adds a drift <see cref="DriftConstant"/> * (anchor - position) (the paper's biased trajectories). Reference: <c>biased</c>. Default false.</summary>
    public bool Biased { get; init; }

    /// <summary>Fraction of the offset to the anchor added to each step when <see cref="Biased"/>, dimensionless per step; in [0, 1]. Reference: <c>drift_const</c>. Default 0.05.</summary>
    public double DriftConstant { get; init; } = 0.05;

    /// <summary>x of the anchor point the biased drift pulls toward, m; finite. Reference: <c>anchor_point[0]</c>. Default 0.</summary>
    public double AnchorX { get; init; }

    /// <summary>y of the anchor point the biased drift pulls toward, m; finite. Reference: <c>anchor_point[1]</c>. Default 0.</summary>
    public double AnchorY { get; init; }

    /// <summary>Number of time steps per trajectory given to the network; &gt; 0. Reference: <c>sequence_length</c>. Default 100.</summary>
    public int SequenceLength { get; init; } = 100;

    /// <summary>Checks every property against its valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the parameter name is the property's name.</exception>
    public void Validate()
    {
        Guard.Positive(BoxWidth, nameof(BoxWidth));
        Guard.Positive(BoxHeight, nameof(BoxHeight));
        Guard.Positive(Dt, nameof(Dt));
        Guard.NonNegative(TurnStd, nameof(TurnStd));
        Guard.Positive(RayleighScale, nameof(RayleighScale));
        Guard.NonNegative(BorderRegion, nameof(BorderRegion));
        UnitInterval(BorderSlowFactor, nameof(BorderSlowFactor));
        UnitInterval(DriftConstant, nameof(DriftConstant));
        Guard.Finite(AnchorX, nameof(AnchorX));
        Guard.Finite(AnchorY, nameof(AnchorY));
        Guard.Positive(SequenceLength, nameof(SequenceLength));
    }

    private static void UnitInterval(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");
    }
}
