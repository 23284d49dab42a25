using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>What tape-free simulation needs from a cell besides <see cref="IReadoutCell"/>: its recurrent step.
/// Implemented by <see cref="RecurrentNetwork{TOptions, TTape}"/>.</summary>
internal interface ISimulatedCell : IReadoutCell
{
    /// <summary>The cell's step over [batch, hidden] blocks, with its packed weights (one per run).</summary>
    SimulationStep CreateSimulationStep(int batch, IsaTier tier);

    /// <summary>The modifiers of the cell's own (trained) dynamics (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>).</summary>
    /// <exception cref="NotSupportedException">Set to modifiers the cell does not train with.</exception>
    DynamicsModifiers Dynamics { get; set; }
}

/// <summary>
/// The one tape-free simulation loop of the library, behind <see cref="RecurrentNetwork{TOptions, TTape}.Simulate"/> and the
/// quiescence runner (<see cref="Analysis.Quiescence"/>): per step it draws one [batch, hidden] block of recurrent noise,
/// takes the cell's step (with the <see cref="DynamicsModifiers"/>: leak override, adaptation, momentum), checks the
/// state, and writes h_t and y_t = W_out h_t (+ b_out) into the caller's [batch, time, ·] buffers. The state (h, and the
/// velocity and adaptation currents of the modifiers) carries over from one <see cref="Advance"/> to the next, so a long
/// run can be recorded chunk by chunk with the same bits as one call. Steps are counted from the start of the run in
/// <see cref="SimulationDivergedException.Step"/>.
/// </summary>
internal sealed class SimulationRun
{
    private readonly ISimulatedCell _cell;
    private readonly SimulationStep _step;
    private readonly IsaTier _tier;
    private readonly int _threads, _batch, _hidden, _outputs, _totalSteps;
    private readonly float[] _h;
    private readonly float[]? _xi;
    private readonly float _std;
    private readonly INoiseSource _noise;
    private readonly PackedMatrix? _wOutT;
    private readonly bool _checkReadout;
    // Momentum M: velocity w [batch, hidden], the noise-free step's result, (1 + M) and √(1 − M²)·std.
    private readonly float[]? _velocity, _deterministic;
    private readonly float _momentum, _driftScale, _momentumNoiseScale;
    // Adaptation: a [batch, hidden], a ← keep·a + gain·h with keep = 1 − 1/τ_a and gain = b/τ_a.
    private readonly float[]? _adaptation;
    private readonly float _adaptationKeep, _adaptationGain;
    private int _done;

    /// <summary>Starts a run at <paramref name="initialHidden"/> (arguments checked by the caller).</summary>
    /// <param name="cell">The network.</param>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="noiseStd">Per-step recurrent noise std s; finite and ≥ 0 (0: no draws).</param>
    /// <param name="noise">Source of the raw draws, one [batch, hidden] block per step.</param>
    /// <param name="modifiers">Quiescence modifiers, over the cell's own <see cref="ISimulatedCell.Dynamics"/> (<see cref="DynamicsModifiers.Over"/>);
    /// <see cref="DynamicsModifiers.None"/> for the cell's own dynamics.</param>
    /// <param name="readout">Whether <see cref="Advance"/> will be asked for outputs (packs W_out once).</param>
    /// <param name="checkReadout">Whether a non-finite readout row is reported as divergence ("the readout W_out h").</param>
    /// <param name="totalSteps">Steps of the whole run, for the divergence message.</param>
    /// <exception cref="ArgumentException">A modifier the cell cannot take (ParamName "modifiers").</exception>
    public SimulationRun(ISimulatedCell cell, ReadOnlySpan<float> initialHidden, int batch, float noiseStd, INoiseSource noise,
        DynamicsModifiers modifiers, bool readout, bool checkReadout, int totalSteps)
    {
        _cell = cell;
        _tier = Isa.Tier;
        _threads = Gemm.MaxThreads;
        _batch = batch;
        _hidden = cell.NetworkOptions.HiddenSize;
        _outputs = cell.NetworkOptions.OutputSize;
        _totalSteps = totalSteps;
        _std = noiseStd;
        _noise = noise;
        _checkReadout = checkReadout;
        modifiers = modifiers.Over(cell.Dynamics);
        _h = initialHidden.ToArray();
        _xi = noiseStd > 0f ? new float[batch * _hidden] : null;
        // The weights of every step, packed into GEMM panels once for the whole run.
        _step = cell.CreateSimulationStep(batch, _tier);
        if (readout)
        {
            _wOutT = new PackedMatrix();
            _wOutT.PackTransposed(cell.Parameters[cell.ReadoutWeight], _hidden, _outputs, _tier);
        }

        if (modifiers.Leak is { } leak)
        {
            if (_step.Leak is null)
                throw new ArgumentException($"The {cell.Kind} cell has no leak to override; expected modifiers.Leak = null.", nameof(modifiers));
            _step.Leak = (float)leak;
        }
        if (modifiers.Adaptation > 0)
        {
            if (!_step.SupportsAdaptation)
                throw new ArgumentException($"The {cell.Kind} cell does not take adaptation; expected modifiers.Adaptation = 0.", nameof(modifiers));
            _adaptation = new float[batch * _hidden];
            _adaptationKeep = (float)(1 - 1 / modifiers.AdaptationTimeConstant);
            _adaptationGain = (float)(modifiers.Adaptation / modifiers.AdaptationTimeConstant);
            _step.Adaptation = _adaptation;
        }
        if (modifiers.Momentum > 0)
        {
            _momentum = (float)modifiers.Momentum;
            _driftScale = (float)(1 + modifiers.Momentum);
            _momentumNoiseScale = (float)(Math.Sqrt(1 - modifiers.Momentum * modifiers.Momentum) * noiseStd);
            _velocity = new float[batch * _hidden];
            _deterministic = new float[batch * _hidden];
        }
    }

    /// <summary>The current hidden states, [batch, hidden].</summary>
    public ReadOnlySpan<float> State => _h;

    /// <summary>
    /// Runs <paramref name="time"/> more steps. Row (b, t) of <paramref name="hidden"/> ([batch, time, hidden]) receives
    /// h after step t of this call, and of <paramref name="outputs"/> ([batch, time, output]) its readout; either may be
    /// empty to skip it (outputs need readout = true at construction).
    /// </summary>
    /// <param name="inputs">x, [batch, time, input]; or empty for zero input (quiescence).</param>
    /// <param name="time">Steps; &gt; 0.</param>
    /// <param name="hidden">Receives h_t, or empty.</param>
    /// <param name="outputs">Receives y_t, or empty.</param>
    /// <exception cref="SimulationDivergedException">The state (or, when checked, a readout row) became non-finite.</exception>
    public void Advance(ReadOnlySpan<float> inputs, int time, Span<float> hidden, Span<float> outputs)
    {
        int batch = _batch, nH = _hidden, nOut = _outputs, nIn = _cell.NetworkOptions.InputSize;
        float[] h = _h;
        ParameterSet p = _cell.Parameters;
        for (int t = 0; t < time; t++)
        {
            if (_xi is not null) _noise.Fill(_xi);
            ReadOnlySpan<float> x = inputs.IsEmpty ? default : inputs[(t * nIn)..];
            if (_velocity is null)
            {
                // h_t = f(h_{t-1}, x_t) + s·xi_t
                _step.Advance(h, x, time * nIn, _xi, _std, _tier, _threads);
            }
            else
            {
                // phi = f(h, x) − h (noise-free); w ← M w + (1 + M) phi + √(1 − M²) s xi; h ← h + w.
                float[] phi = _deterministic!, w = _velocity;
                h.CopyTo(phi, 0);
                _step.Advance(phi, x, time * nIn, null, 0f, _tier, _threads);
                TensorPrimitives.Subtract(phi, h, phi);
                TensorPrimitives.Multiply(w, _momentum, w);
                TensorPrimitives.MultiplyAdd(phi, _driftScale, w, w);
                if (_xi is not null) TensorPrimitives.MultiplyAdd(_xi, _momentumNoiseScale, w, w);
                TensorPrimitives.Add(h, w, h);
            }
            if (!float.IsFinite(TensorPrimitives.MaxMagnitude(h))) throw new SimulationDivergedException(_done + t, _totalSteps);
            if (_adaptation is { } a)
            {
                // a ← a (1 − 1/τ_a) + (b/τ_a) h, read by the next step.
                TensorPrimitives.Multiply(a, _adaptationKeep, a);
                TensorPrimitives.MultiplyAdd(h, _adaptationGain, a, a);
            }

            if (!hidden.IsEmpty)
            {
                for (int b = 0; b < batch; b++) h.AsSpan(b * nH, nH).CopyTo(hidden.Slice((b * time + t) * nH, nH));
            }
            if (_wOutT is not null && !outputs.IsEmpty)
            {
                // y_t = W_out h_t (+ b_out), written to rows (b, t) with stride time·output.
                Span<float> yT = outputs[(t * nOut)..];
                Gemm.MultiplyPacked(h, nH, false, _wOutT, yT, time * nOut, batch, false, _tier, _threads);
                if (_cell.ReadoutBias is { } bias)
                {
                    ReadOnlySpan<float> bOut = p[bias];
                    for (int b = 0; b < batch; b++)
                    {
                        Span<float> row = outputs.Slice((b * time + t) * nOut, nOut);
                        TensorPrimitives.Add(row, bOut, row);
                    }
                }
                // A finite but huge state can overflow the readout before the state itself does.
                if (_checkReadout)
                {
                    for (int b = 0; b < batch; b++)
                    {
                        if (!TensorPrimitives.IsFiniteAll<float>(outputs.Slice((b * time + t) * nOut, nOut)))
                            throw new SimulationDivergedException(_done + t, _totalSteps, "the readout W_out h");
                    }
                }
            }
        }
        _done += time;
    }
}
