using System.Text.Json.Serialization;

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
/// <param name="UseBias">Adds biases (the paper and the reference's configurations train without: false): with the default
/// <see cref="BiasLayout"/> a recurrent pre-activation bias <c>w_rec.bias</c> [hidden] and a readout bias <c>w_out.bias</c> [output];
/// with <see cref="VanillaBiasLayout.AllLayers"/> also <c>encoder.bias</c> [hidden] and <c>w_in.bias</c> [hidden], as the reference's
/// <c>bias=True</c>.</param>
public sealed record VanillaRnnOptions(int InputSize, int HiddenSize, int OutputSize, int InitSize,
    Activation Activation = Activation.Relu, float TimeConstant = 1f, float Dt = 0.2f, bool UseBias = false) : IRecurrentNetworkOptions
{
    /// <summary>alpha = Dt / TimeConstant, the fraction of the state replaced per step; valid options have alpha in (0, 1].</summary>
    public float Alpha => Dt / TimeConstant;

    /// <summary>
    /// Which layers carry a bias when <see cref="UseBias"/> is set: <see cref="VanillaBiasLayout.RecurrentReadout"/> (default;
    /// <c>w_rec.bias</c> [hidden], <c>w_out.bias</c> [output]) or <see cref="VanillaBiasLayout.AllLayers"/> (the reference's
    /// <c>bias=True</c>: <c>encoder.bias</c>, <c>w_in.bias</c>, <c>w_rec.bias</c> [hidden] and <c>w_out.bias</c> [output]).
    /// AllLayers needs UseBias. Left out of the options' JSON when it is the default, so files written before it existed
    /// read back equal and files of the default layout keep their bytes.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public VanillaBiasLayout BiasLayout { get; init; }

    /// <summary>True when the reference's encoder and input biases (<c>encoder.bias</c>, <c>w_in.bias</c>) exist: UseBias with
    /// <see cref="VanillaBiasLayout.AllLayers"/>.</summary>
    internal bool HasAllLayerBiases => UseBias && BiasLayout == VanillaBiasLayout.AllLayers;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is &lt;= 0, Dt or TimeConstant is not finite and &gt; 0, alpha =
    /// Dt/TimeConstant is above 1 (ParamName "Dt"), Activation is not a defined value, or the parameter count (weights and biases)
    /// exceeds the largest float array, <see cref="Array.MaxLength"/> (ParamName "HiddenSize"); BiasLayout is not a defined value, or is
    /// AllLayers without UseBias (ParamName "BiasLayout"); ParamName is the property's name.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(BiasLayout))
            throw new ArgumentOutOfRangeException(nameof(BiasLayout), BiasLayout, "BiasLayout is not a defined value.");
        if (BiasLayout == VanillaBiasLayout.AllLayers && !UseBias)
            throw new ArgumentOutOfRangeException(nameof(BiasLayout), BiasLayout, "BiasLayout AllLayers places biases, so it needs UseBias = true.");
        double h = HiddenSize;
        double biases = UseBias ? h + OutputSize + (HasAllLayerBiases ? 2 * h : 0) : 0;
        NetworkOptionsChecks.Validate(this, h * InitSize + h * InputSize + h * h + (double)OutputSize * HiddenSize + biases);
    }
}
