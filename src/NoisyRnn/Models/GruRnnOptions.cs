namespace NoisyRnn.Models;

/// <summary>
/// Sizes and time constants of a continuous-time GRU (reference: <c>GRU</c> in models/gru.py with <c>n_in</c>,
/// <c>n_rec</c>, <c>n_out</c>, <c>n_init</c>, <c>dt</c>, <c>tau</c>, <c>bias</c>, <c>activation_fn</c>).
/// </summary>
/// <param name="InputSize">Input features per step (1 for angular velocity, 2 for planar velocity); &gt; 0. Reference <c>n_in</c>.</param>
/// <param name="HiddenSize">Hidden units N; &gt; 0. Reference <c>n_rec</c>.</param>
/// <param name="OutputSize">Readout units (place or head-direction cells); &gt; 0. Reference <c>n_out</c>.</param>
/// <param name="InitSize">Width of the initial-state code the encoder maps to h_0 (the reference uses the target code, so = OutputSize); &gt; 0.</param>
/// <param name="Activation">The candidate nonlinearity act (reference default: tanh).</param>
/// <param name="TimeConstant">tau, in the same unit as <paramref name="Dt"/>; finite and &gt; 0.</param>
/// <param name="Dt">Integration step, same unit as tau; finite and &gt; 0 with Dt/TimeConstant &lt;= 1.</param>
/// <param name="UseBias">Gives every linear map a bias, as <c>nn.Linear(bias=True)</c> does in the reference (names
/// <c>encoder.bias</c>, <c>w_z.bias</c>, <c>u_z.bias</c>, ...; the pairs on one gate are redundant but kept for state_dict
/// compatibility). Default false (the reference trains without biases).</param>
public sealed record GruRnnOptions(int InputSize, int HiddenSize, int OutputSize, int InitSize,
    Activation Activation = Activation.Tanh, float TimeConstant = 1f, float Dt = 0.2f, bool UseBias = false) : IRecurrentNetworkOptions
{
    /// <summary>alpha = Dt / TimeConstant; valid options have alpha in (0, 1].</summary>
    public float Alpha => Dt / TimeConstant;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is &lt;= 0, Dt or TimeConstant is not finite and &gt; 0, alpha is above 1
    /// (ParamName "Dt"), Activation is not defined, or the parameter count exceeds <see cref="Array.MaxLength"/> (ParamName
    /// "HiddenSize"); ParamName is the property's name.</exception>
    public void Validate()
    {
        // encoder [h, init]; w_z, w_r, w_h [h, in]; u_z, u_r, u_h [h, h]; decoder [out, h]; a bias per layer with UseBias.
        double h = HiddenSize;
        NetworkOptionsChecks.Validate(this, h * InitSize + 3 * h * InputSize + 3 * h * h + (double)OutputSize * HiddenSize + (UseBias ? 7 * h + OutputSize : 0));
    }
}
