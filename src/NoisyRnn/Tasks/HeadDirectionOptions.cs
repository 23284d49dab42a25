namespace NoisyRnn.Tasks;

/// <summary>
/// Parameters of the head-direction task (Krishna et al., ICLR 2024, Sec. 4.2; reference <c>HeadDirection</c> in
/// tasks/head_direction.py): the heading performs a random walk with Gaussian angular velocity; when <see cref="Biased"/>,
/// every turn is counter-clockwise (the reference takes the absolute value of each turn draw). Defaults are the paper's.
/// </summary>
public sealed record HeadDirectionOptions
{
    /// <summary>Time step of the trajectory simulation, s; &gt; 0. Reference <c>dt</c>. Default 0.02.</summary>
    public double Dt { get; init; } = 0.02;

    /// <summary>Standard deviation of the angular velocity, rad/s; &gt;= 0 (the turn per step is Dt times a N(0, TurnStd^2)
    /// draw). Reference <c>sigma</c>. Default 11.52.</summary>
    public double TurnStd { get; init; } = 11.52;

    /// <summary>Only counter-clockwise turns: each turn is Dt·|N(0, TurnStd^2)| (reference <c>biased</c>). Default false.</summary>
    public bool Biased { get; init; }

    /// <summary>Start headings drawn from U(0, 2 pi) (true, reference <c>init_hd="uniform"</c>, default) or all 0
    /// (false, <c>init_hd="zero"</c>, which draws nothing).</summary>
    public bool UniformStart { get; init; } = true;

    /// <summary>Time steps per trajectory; &gt; 0. Reference <c>sequence_length</c>. Default 100.</summary>
    public int SequenceLength { get; init; } = 100;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the parameter name is the property's name.</exception>
    public void Validate()
    {
        Guard.Positive(Dt, nameof(Dt));
        Guard.NonNegative(TurnStd, nameof(TurnStd));
        Guard.Positive(SequenceLength, nameof(SequenceLength));
    }
}
