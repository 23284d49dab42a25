namespace NoisyRnn;

/// <summary>The pointwise nonlinearity act(.) of a recurrent cell.</summary>
public enum Activation
{
    /// <summary>max(0, u); the paper's spatial networks.</summary>
    Relu = 0,

    /// <summary>tanh(u).</summary>
    Tanh = 1,

    /// <summary>1 / (1 + exp(-u)).</summary>
    Sigmoid = 2,

    /// <summary>u (a linear network).</summary>
    Identity = 3,
}
