using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// What trainers and analyses need from a noisy continuous-time recurrent network, whatever its cell
/// (<see cref="VanillaRnn"/>, <see cref="GruRnn"/>): a flat parameter buffer, a forward pass that records a tape,
/// hand-written back-propagation through time, the encoder of initial states and tape-free simulation (quiescence).
/// All tensors are row-major: inputs [batch, time, input], initial-state codes [batch, init], hidden states
/// [batch, time, hidden], outputs [batch, time, output].
/// </summary>
public interface IRecurrentNetwork
{
    /// <summary>Short name of the cell written into checkpoints: <c>vanilla</c> or <c>gru</c>.</summary>
    string Kind { get; }

    /// <summary>Sizes and time constants (validated; a record, so equal options compare equal).</summary>
    IRecurrentNetworkOptions NetworkOptions { get; }

    /// <summary>All parameters in one contiguous buffer with named views (reference state_dict names).</summary>
    ParameterSet Parameters { get; }

    /// <summary>Creates the workspace of a forward pass and its BPTT at (batch, time).</summary>
    /// <param name="batch">Trajectories per pass; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; &gt; 0.</param>
    /// <returns>A new tape of this model.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    RecurrentTape CreateTape(int batch, int time);

    /// <summary>Runs the network over a batch and records what BPTT needs (see the implementing class for the equations
    /// and the order in which noise is drawn).</summary>
    /// <param name="inputs">x, [batch, time, input]; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="noise">Per-step stds of input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/> of this model.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape, a value is not finite, or the tape belongs to
    /// another model.</exception>
    void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape);

    /// <summary>BPTT of the last forward pass in <paramref name="tape"/>; ADDS dL/dθ into <paramref name="gradient"/>.</summary>
    /// <param name="tape">The tape of a completed forward pass of this model.</param>
    /// <param name="outputGradient">dL/dy, [batch, time, output].</param>
    /// <param name="gradient">Receives the gradients; layout of <see cref="Parameters"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A length or layout differs, or the tape has no forward pass.</exception>
    void Backward(RecurrentTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient);

    /// <summary>
    /// One training pass: <see cref="Forward"/>, the mean-squared error of the readouts against <paramref name="targets"/>
    /// (<see cref="Training.MseLoss.Compute"/>) and <see cref="Backward"/> with its gradient 2(y - target)/count, in one call.
    /// The models of this library compute the readout, the loss and the readout's gradient block by block in cache and
    /// never write the outputs (<see cref="RecurrentTape.HasOutputs"/> is false afterwards); the gradient has the same bits
    /// as the three separate calls. This default implementation makes the three calls (allocating the output gradient).
    /// </summary>
    /// <param name="inputs">x, [batch, time, input]; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="targets">Target codes, [batch, time, output].</param>
    /// <param name="noise">Per-step stds of input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites (drawn as by <see cref="Forward"/>).</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/> of this model.</param>
    /// <param name="gradient">Receives dL/dθ ADDED (+=) to what it holds; layout of <see cref="Parameters"/>.</param>
    /// <returns>The loss, mean((y - target)²); not finite when the readout diverged, and then
    /// <paramref name="gradient"/> is left as it was.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A length or layout differs, an input is not finite, the tape belongs to another
    /// model, or a target is not finite (checked only when the loss is not finite).</exception>
    double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets, NoiseLevels noise,
        NoiseStreams streams, RecurrentTape tape, ParameterSet gradient)
    {
        ArgumentNullException.ThrowIfNull(tape);
        // Checked up front, as the library's models do: Backward would only see it when the loss is finite.
        TrainingPass.CheckGradient(Parameters, gradient);
        MseReadout.CheckTargets(targets, null, tape.Batch, tape.Time, NetworkOptions.OutputSize);
        Forward(inputs, initState, noise, streams, tape);
        var outputGradient = new float[targets.Length];
        double loss = Kernels.SquaredError.Mean(tape.Outputs, targets, outputGradient);
        if (double.IsFinite(loss)) Backward(tape, outputGradient, gradient);
        return loss;
    }

    /// <summary>
    /// <see cref="ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, RecurrentTape, ParameterSet)"/>
    /// with targets written on demand by <paramref name="targets"/>: the models of this library ask for them block by block
    /// inside the fused readout, so they are made in cache and never read from a [batch, time, output] array. This default
    /// implementation writes all rows into a new array and calls the span overload.
    /// </summary>
    /// <param name="inputs">x, [batch, time, input]; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="targets">batch·time rows of output targets.</param>
    /// <param name="noise">Per-step stds of input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/> of this model.</param>
    /// <param name="gradient">Receives dL/dθ ADDED (+=) to what it holds.</param>
    /// <returns>The loss; not finite when the readout diverged, and then <paramref name="gradient"/> is left as it was.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As the span overload; the targets' RowCount or Width does not fit (ParamName "targets").</exception>
    double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ITargetRows targets, NoiseLevels noise,
        NoiseStreams streams, RecurrentTape tape, ParameterSet gradient)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(tape);
        MseReadout.CheckTargets(default, targets, tape.Batch, tape.Time, NetworkOptions.OutputSize);
        float[]? values = null;
        return ForwardBackwardMse(inputs, initState, MseReadout.Materialize(targets, ref values), noise, streams, tape, gradient);
    }

    /// <summary>Encodes initial-state codes into initial hidden states h_0.</summary>
    /// <param name="initState">s, [batch, init]; finite.</param>
    /// <param name="batch">Number of codes; &gt; 0.</param>
    /// <param name="hidden">Receives h_0, [batch, hidden].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or the code is not finite.</exception>
    void Encode(ReadOnlySpan<float> initState, int batch, Span<float> hidden);

    /// <summary>Runs the dynamics from given hidden states without a tape, with recurrent noise only (quiescence).</summary>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="inputs">x, [batch, time, input], or empty for zero input.</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps; &gt; 0.</param>
    /// <param name="recurrentStd">Per-step recurrent noise std; finite and &gt;= 0.</param>
    /// <param name="recurrentNoise">Source of raw draws, one [batch, hidden] block per step.</param>
    /// <param name="hidden">Receives h_t, [batch, time, hidden]; or empty.</param>
    /// <param name="outputs">Receives y_t, [batch, time, output]; or empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recurrentNoise"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the std is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or an input is not finite.</exception>
    /// <exception cref="SimulationDivergedException">The hidden state became non-finite. <paramref name="recurrentNoise"/> may
    /// then have been drawn for some steps past it.</exception>
    void Simulate(ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> inputs, int batch, int time, float recurrentStd,
        INoiseSource recurrentNoise, Span<float> hidden, Span<float> outputs);
}
