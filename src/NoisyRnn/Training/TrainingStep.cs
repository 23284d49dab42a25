using System.Numerics.Tensors;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Training;

/// <summary>
/// One training step on a batch, the one copy that <see cref="PathIntegrationTrainer"/>, <c>noisyrnn bench --breakdown</c>
/// and the training-step benchmarks run: the gradient zeroed, forward, MSE loss and BPTT in one
/// <see cref="IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ITargetRows, NoiseLevels, NoiseStreams, RecurrentTape, ParameterSet)"/>
/// call, then the finiteness checks and the Adam update, which never leaves non-finite parameters behind. Owns the tape,
/// the gradient buffer and the copy of the last finite parameters, reused across steps (no allocation per step).
/// </summary>
internal sealed class TrainingStep
{
    private readonly IRecurrentNetwork _model;
    private readonly float[] _previous;

    /// <summary>Buffers for batches of <paramref name="batchSize"/> × <paramref name="timeSteps"/> of <paramref name="model"/>,
    /// updated by <paramref name="adam"/> (whose moments may be restored from a checkpoint before the first step).</summary>
    public TrainingStep(IRecurrentNetwork model, Adam adam, int batchSize, int timeSteps)
    {
        _model = model;
        Adam = adam;
        Tape = model.CreateTape(batchSize, timeSteps);
        Gradient = model.Parameters.CloneEmpty();
        _previous = new float[model.Parameters.Length];
    }

    /// <summary>The optimizer.</summary>
    public Adam Adam { get; }

    /// <summary>The tape of the forward passes.</summary>
    public RecurrentTape Tape { get; }

    /// <summary>The gradient of the last <see cref="ForwardBackward"/>.</summary>
    public ParameterSet Gradient { get; }

    /// <summary><see cref="ForwardBackward"/> then <see cref="Update"/>; returns the loss.</summary>
    /// <exception cref="TrainingDivergedException">The loss, the gradient or the updated parameters are not finite; the
    /// parameters keep their values from before the step.</exception>
    public double Run(int step, IPathIntegrationBatch data, NoiseLevels noise, NoiseStreams streams)
    {
        double loss = ForwardBackward(data, noise, streams);
        Update(step, loss);
        return loss;
    }

    /// <summary>Zeroes <see cref="Gradient"/> and accumulates the gradient of the MSE loss of <paramref name="data"/> (targets
    /// from its row source, encoded in cache) into it; returns the loss.</summary>
    public double ForwardBackward(IPathIntegrationBatch data, NoiseLevels noise, NoiseStreams streams)
    {
        Array.Clear(Gradient.Values);
        return _model.ForwardBackwardMse(data.Inputs, data.InitialState, data.TargetRows, noise, streams, Tape, Gradient);
    }

    /// <summary>Checks <paramref name="loss"/> and <see cref="Gradient"/> and applies the Adam update, restoring the
    /// parameters when the update overflows.</summary>
    /// <exception cref="TrainingDivergedException">Something is not finite (<paramref name="step"/> is reported); the
    /// parameters keep their values.</exception>
    public void Update(int step, double loss)
    {
        if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, "the loss");
        if (!TensorPrimitives.IsFiniteAll<float>(Gradient.Values))
            throw new TrainingDivergedException(step, $"the gradient of {FirstNonFinite(Gradient)}");
        // A finite gradient can still overflow the update (a learning rate near the float32 limit): keep the last
        // finite parameters so that the model, evaluations and checkpoints never see NaN or infinity.
        _model.Parameters.Values.CopyTo(_previous, 0);
        Adam.Step(_model.Parameters.Values, Gradient.Values);
        if (!TensorPrimitives.IsFiniteAll<float>(_model.Parameters.Values))
        {
            _previous.CopyTo(_model.Parameters.Values, 0);
            throw new TrainingDivergedException(step, "the parameters after the Adam update");
        }
    }

    /// <summary>Name of the first view holding a non-finite value (kept out of <see cref="Update"/>, whose closure would
    /// otherwise be allocated on every step).</summary>
    private static string FirstNonFinite(ParameterSet gradient) =>
        gradient.Views.First(v => !TensorPrimitives.IsFiniteAll<float>(gradient[v.Name])).Name;
}
