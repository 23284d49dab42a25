namespace NoisyRnn.Models;

/// <summary>
/// Training targets that can be written row by row on demand, [rows, width] with row = b·time + t, so that a fused training
/// pass (<see cref="IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ITargetRows, Noise.NoiseLevels, Noise.NoiseStreams, RecurrentTape, ParameterSet)"/>)
/// can produce each block of targets in cache next to the readout it is compared with, instead of reading a
/// [batch, time, output] array (41 MB at the paper sizes) that was written to memory beforehand. The batches of this
/// library's tasks provide one (<see cref="Tasks.IPathIntegrationBatch.TargetRows"/>).
/// </summary>
public interface ITargetRows
{
    /// <summary>Number of rows, batch·time.</summary>
    int RowCount { get; }

    /// <summary>Values per row (the output width).</summary>
    int Width { get; }

    /// <summary>
    /// Writes rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) into
    /// <paramref name="destination"/>, [rowCount, width] row-major. Must give the same values every time and be safe to call
    /// from several threads at once for disjoint rows.
    /// </summary>
    /// <param name="firstRow">First row; in [0, RowCount).</param>
    /// <param name="rowCount">Rows; &gt;= 0, firstRow + rowCount &lt;= RowCount.</param>
    /// <param name="destination">Receives rowCount·Width values.</param>
    void WriteRows(int firstRow, int rowCount, Span<float> destination);
}
