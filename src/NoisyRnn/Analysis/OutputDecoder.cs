using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>Turns readout values [n, outputs] into task coordinates [n, decodedSize] (e.g. place-cell code to position).</summary>
/// <param name="outputs">Readout values, row-major [n, outputs].</param>
/// <param name="decoded">Destination, row-major [n, decodedSize].</param>
public delegate void OutputDecoder(ReadOnlySpan<float> outputs, Span<float> decoded);
