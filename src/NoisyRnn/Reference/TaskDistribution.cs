namespace NoisyRnn.Reference;

/// <summary>The distributions a task generator draws from; used to label and check recorded draws.</summary>
public enum TaskDistribution
{
    /// <summary>Continuous uniform on [low, high); parameters (low, high).</summary>
    Uniform,

    /// <summary>Gaussian; parameters (mean, std).</summary>
    Normal,

    /// <summary>Rayleigh with density (x / s^2) exp(-x^2 / (2 s^2)) for x &gt;= 0; parameter (scale s).</summary>
    Rayleigh,
}
