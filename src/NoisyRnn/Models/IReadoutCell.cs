using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>What the shared training pass needs from a cell besides <see cref="IRecurrentNetwork"/>: its recurrent
/// forward and backward without the readout, and the names of its readout parameters.</summary>
internal interface IReadoutCell : IRecurrentNetwork
{
    /// <summary>Name of the readout weight, [output, hidden].</summary>
    string ReadoutWeight { get; }

    /// <summary>Name of the readout bias, [output], or null when the cell has none.</summary>
    string? ReadoutBias { get; }

    /// <summary>Throws as the cell's own methods do when <paramref name="tape"/> is null, of another cell or other options.</summary>
    void CheckOwnTape(RecurrentTape tape);

    /// <summary>Forward without the readout (argument checks, h_0, noisy inputs, the recurrence); leaves HasForward and
    /// HasOutputs false.</summary>
    void ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape);

    /// <summary>BPTT below the readout, from the readout part of dL/dh in <see cref="RecurrentTape.HiddenGradient"/>.</summary>
    void BackwardRecurrent(RecurrentTape tape, ParameterSet gradient);
}
