using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// The body of <see cref="IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, RecurrentTape, ParameterSet)"/>
/// for the library's cells: the fused readout (<see cref="MseReadout"/>) between the cell's recurrent forward and
/// backward, or the three separate calls where the fused readout does not apply.
/// </summary>
internal static class TrainingPass
{
    /// <summary>One pass; targets from <paramref name="targets"/>, or from <paramref name="targetRows"/> when it is not null.</summary>
    public static double Run(IReadoutCell cell, ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets,
        ITargetRows? targetRows, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape, ParameterSet gradient)
    {
        cell.CheckOwnTape(tape);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(streams);
        CheckGradient(cell.Parameters, gradient);
        var o = cell.NetworkOptions;
        int batch = tape.Batch, time = tape.Time, nH = o.HiddenSize, nOut = o.OutputSize;
        int rows = batch * time;
        MseReadout.CheckTargets(targets, targetRows, batch, time, nOut);
        IsaTier tier = Isa.Tier;
        if (!MseReadout.Applies(rows, nH, nOut, tier))
        {
            cell.Forward(inputs, initState, noise, streams, tape);
            ReadOnlySpan<float> values = targetRows is null ? targets : MseReadout.Materialize(targetRows, ref tape.TargetBuffer);
            float[] dy = tape.OutputGradient ??= new float[rows * nOut];
            double separate = SquaredError.Mean(tape.Outputs, values, dy);
            if (double.IsFinite(separate)) cell.Backward(tape, dy, gradient);
            return separate;
        }

        cell.ForwardRecurrent(inputs, initState, noise, streams, tape);
        ParameterSet p = cell.Parameters;
        float[]? xi = null;
        if (noise.OutputStd > 0f)
        {
            xi = tape.OutputNoise ??= new float[rows * nOut];
            streams.Output!.Fill(xi);
        }
        tape.HasForward = true;
        float[] dh = tape.HiddenGradient ??= new float[rows * nH];
        MseReadout readout = tape.Readout ??= new MseReadout();
        string? bias = cell.ReadoutBias;
        double loss = readout.Run(tape.Hidden, p[cell.ReadoutWeight], bias is null ? default : p[bias], xi, noise.OutputStd, targets, targetRows,
            rows, nH, nOut, dh, gradient[cell.ReadoutWeight], bias is null ? default : gradient[bias], tier, Gemm.MaxThreads);
        if (!double.IsFinite(loss))
        {
            MseReadout.RequireFiniteTargets(targets, targetRows);
            return loss;
        }
        cell.BackwardRecurrent(tape, gradient);
        return loss;
    }

    /// <summary>The checks every backward pass makes of its gradient: not null, the parameter layout, and not the
    /// parameters themselves (BPTT reads the weights after it has started adding into the gradient).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="gradient"/> is null.</exception>
    /// <exception cref="ArgumentException">Another layout, or the model's own parameter buffer (ParamName "gradient").</exception>
    public static void CheckGradient(ParameterSet parameters, ParameterSet gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!parameters.HasSameLayout(gradient))
            throw new ArgumentException("gradient must have the parameter layout (use Parameters.CloneEmpty()).", nameof(gradient));
        if (ReferenceEquals(parameters.Values, gradient.Values))
            throw new ArgumentException("gradient must not be the model's own Parameters (BPTT reads the weights while it adds into the gradient); use Parameters.CloneEmpty().", nameof(gradient));
    }
}
