namespace NoisyRnn.Models;

/// <summary>
/// Sizes and time constants of a continuous-time vanilla RNN (reference: <c>RNN</c> with <c>n_in</c>, <c>n_rec</c>,
/// <c>n_out</c>, <c>n_init</c>, <c>dt</c>, <c>tau</c>; THEORY.md, "Noisy dynamics").
/// </summary>
/// <param name="InputSize">Input features per step (2 for the spatial task's velocity, 1 for angular velocity); &gt; 0. Reference <c>n_in</c>.</param>
/// <param name="HiddenSize">Hidden units N; &gt; 0. Reference <c>n_rec</c>.</param>
/// <param name="OutputSize">Readout units (place or head-direction cells); &gt; 0. Reference <c>n_out</c>.</param>
/// <param name="InitSize">Size of the initial-state code the encoder maps to h_0 (the reference uses the target code, so = OutputSize); &gt; 0.</param>
/// <param name="Activation">The nonlinearity act (paper spatial networks: ReLU).</param>
/// <param name="TimeConstant">tau, in the same unit as <paramref name="Dt"/>; finite and &gt; 0. Reference <c>tau</c>.</param>
/// <param name="Dt">Integration step, same unit as tau; finite and &gt; 0 with Dt/TimeConstant &lt;= 1 (paper: 0.2 spatial, 0.5 head direction).</param>
/// <param name="UseBias">Adds a recurrent pre-activation bias <c>w_rec.bias</c> [hidden] and a readout bias <c>w_out.bias</c> [output]
/// (the reference trains without biases: false).</param>
public sealed record VanillaRnnOptions(int InputSize, int HiddenSize, int OutputSize, int InitSize,
    Activation Activation = Activation.Relu, float TimeConstant = 1f, float Dt = 0.2f, bool UseBias = false) : IRecurrentNetworkOptions
{
    /// <summary>alpha = Dt / TimeConstant, the fraction of the state replaced per step; valid options have alpha in (0, 1].</summary>
    public float Alpha => Dt / TimeConstant;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is &lt;= 0, Dt or TimeConstant is not finite and &gt; 0, alpha =
    /// Dt/TimeConstant is above 1 (ParamName "Dt"), Activation is not a defined value, or the parameter count (weights and biases)
    /// exceeds the largest float array, <see cref="Array.MaxLength"/> (ParamName "HiddenSize"); ParamName is the property's name.</exception>
    public void Validate()
    {
        double h = HiddenSize;
        NetworkOptionsChecks.Validate(this, h * InitSize + h * InputSize + h * h + (double)OutputSize * HiddenSize + (UseBias ? h + OutputSize : 0));
    }
}
