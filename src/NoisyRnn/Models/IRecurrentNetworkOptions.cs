namespace NoisyRnn.Models;

/// <summary>
/// Sizes and time constants shared by every continuous-time recurrent cell of the library
/// (<see cref="VanillaRnnOptions"/>, <see cref="GruRnnOptions"/>). Reference names: <c>n_in</c>, <c>n_rec</c>,
/// <c>n_out</c>, <c>n_init</c>, <c>tau</c>, <c>dt</c>, <c>bias</c>, <c>activation_fn</c>.
/// </summary>
public interface IRecurrentNetworkOptions
{
    /// <summary>Input features per step; &gt; 0.</summary>
    int InputSize { get; }

    /// <summary>Hidden units N; &gt; 0.</summary>
    int HiddenSize { get; }

    /// <summary>Readout units; &gt; 0.</summary>
    int OutputSize { get; }

    /// <summary>Width of the initial-state code the encoder maps to h_0; &gt; 0.</summary>
    int InitSize { get; }

    /// <summary>The nonlinearity act.</summary>
    Activation Activation { get; }

    /// <summary>tau, same unit as <see cref="Dt"/>; &gt; 0.</summary>
    float TimeConstant { get; }

    /// <summary>Integration step, same unit as tau; &gt; 0.</summary>
    float Dt { get; }

    /// <summary>Whether the linear maps carry biases.</summary>
    bool UseBias { get; }

    /// <summary>alpha = Dt / TimeConstant, in (0, 1] for valid options.</summary>
    float Alpha { get; }

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; ParamName is the property's name.</exception>
    void Validate();
}
