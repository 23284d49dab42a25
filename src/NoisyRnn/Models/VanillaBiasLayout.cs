namespace NoisyRnn.Models;

/// <summary>
/// Which layers of a <see cref="VanillaRnn"/> carry a bias when <see cref="VanillaRnnOptions.UseBias"/> is set (without
/// UseBias no layer has one, whatever the layout). Names are the reference's <c>state_dict</c> names (PyTorch
/// <c>nn.Linear</c>: <c>L.bias</c> is added to <c>L.weight</c>'s product); docs/reference-differences.md compares the two.
/// </summary>
public enum VanillaBiasLayout
{
    /// <summary>
    /// NoisyRnn's layout (the default): one pre-activation bias <c>w_rec.bias</c> [hidden] and the readout bias
    /// <c>w_out.bias</c> [output]; h_0 = W_enc s has no bias. Every network trained before the layout existed has it.
    /// </summary>
    RecurrentReadout = 0,

    /// <summary>
    /// The reference's <c>RNN(bias=True)</c>: a bias on all four layers, <c>encoder.bias</c> [hidden] (h_0 = W_enc s + b_enc),
    /// <c>w_in.bias</c> [hidden] and <c>w_rec.bias</c> [hidden] (both added to the pre-activation,
    /// u_t = W_rec h_{t-1} + b_rec + W_in x̃_t + b_in; kept as two parameters, whose gradients are equal, so that a
    /// reference model loads one to one) and <c>w_out.bias</c> [output]. Adam updates all four (with weight decay, as
    /// torch.optim.Adam does), so the two pre-activation biases move together but decay separately.
    /// </summary>
    AllLayers = 1,
}
