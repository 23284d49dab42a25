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
    // Parts of the batch stepped on their own cores (see AdvanceInParts), or null when the run cannot take them.
    private readonly ChainParts? _parts;

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
        // Parts per core need a row step, no state shared between rows beyond h (momentum and adaptation update whole
        // blocks between steps), and rows of whole vectors, so that each row's element-wise passes are the same as over
        // the whole block.
        if (_step.SupportsRows && _velocity is null && _adaptation is null && _tier != IsaTier.Scalar && _threads > 1
            && _hidden % Isa.FloatsPerVector(_tier) == 0)
            _parts = new ChainParts(this);
    }

    /// <summary>Whether zero-input runs step parts of the batch on their own cores (a switch for measuring what it is
    /// worth; the bits are the same either way).</summary>
    internal static bool PartsPerCore { get; set; } = true;

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
        if (_parts is not null && inputs.IsEmpty && PartsPerCore && _parts.Split(time) > 1)
        {
            _parts.Advance(time, hidden, outputs);
            _done += time;
            return;
        }
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

    /// <summary>
    /// Zero-input steps with the batch split into parts, each part running a stretch of steps on its own core without a
    /// hand-off per product. The noise is drawn a stretch ahead, step by step in stream order as the one-block loop draws
    /// it (so the draws, and every result, are the same bits): the first part draws the next stretch's noise and then
    /// steps fewer rows, the split moved after each stretch so that the parts end together. Each part steps its rows,
    /// checks them and writes their states and readouts; a row's operations never depend on its part. A divergence is
    /// reported at the first step any part saw it, the state before the readout at the same step, as the one-block loop
    /// reports it (the noise source has then been drawn up to the end of the next stretch).
    /// </summary>
    private sealed class ChainParts(SimulationRun run) : WorkerPool.IParallelParts
    {
        /// <summary>Noise of about this many floats per stretch (1 MB: two buffers stay in the shared cache).</summary>
        private const int NoiseFloats = 1 << 18;

        private float[] _current = [], _next = [];
        private int _shareRows, _time, _first, _count, _nextCount, _split;
        private (int Step, int Kind)[] _diverged = [];
        private long[] _ticks = [];
        private unsafe float* _hiddenPtr, _outputsPtr;
        private int _hiddenLength, _outputsLength;

        public int Parts { get; private set; }

        /// <summary>Parts a run of <paramref name="time"/> steps is split into (1: the one-block loop is used).</summary>
        public int Split(int time)
        {
            _shareRows = Gemm.ShareRows(run._tier);
            return BatchParts.Count(run._batch, run._hidden, time, run._threads, _shareRows);
        }

        public unsafe void Advance(int time, Span<float> hidden, Span<float> outputs)
        {
            int block = run._batch * run._hidden, units = (run._batch + _shareRows - 1) / _shareRows;
            int stretch = Math.Max(1, Math.Min(time, NoiseFloats / block));
            bool noisy = run._xi is not null;
            if (noisy && _current.Length < stretch * block)
            {
                _current = new float[stretch * block];
                _next = new float[stretch * block];
            }
            Parts = Split(time);
            if (_diverged.Length < Parts)
            {
                _diverged = new (int, int)[Parts];
                _ticks = new long[Parts];
            }
            // Rows of the first part, which also draws: start from an even split, in whole shares.
            if (_split <= 0 || _split >= run._batch) _split = units / Parts * _shareRows;
            fixed (float* ph = hidden, py = outputs)
            {
                _hiddenPtr = ph;
                _outputsPtr = py;
                _hiddenLength = hidden.Length;
                _outputsLength = outputs.Length;
                try
                {
                    _time = time;
                    if (noisy) Draw(_current, Math.Min(stretch, time));
                    for (int t0 = 0; t0 < time; t0 += stretch)
                    {
                        _first = t0;
                        _count = Math.Min(stretch, time - t0);
                        _nextCount = noisy ? Math.Min(stretch, time - t0 - _count) : 0;
                        Array.Fill(_diverged, (int.MaxValue, 0), 0, Parts);
                        WorkerPool.RunParts(this, run._threads);
                        (int step, int kind) = (int.MaxValue, 0);
                        for (int p = 0; p < Parts; p++)
                        {
                            if (_diverged[p].CompareTo((step, kind)) < 0) (step, kind) = _diverged[p];
                        }
                        if (step != int.MaxValue)
                        {
                            if (kind == 0) throw new SimulationDivergedException(run._done + step, run._totalSteps);
                            throw new SimulationDivergedException(run._done + step, run._totalSteps, "the readout W_out h");
                        }
                        Rebalance(units);
                        (_current, _next) = (_next, _current);
                    }
                }
                finally
                {
                    _hiddenPtr = _outputsPtr = null;
                }
            }
        }

        /// <summary>The next <paramref name="steps"/> steps' raw draws into <paramref name="buffer"/>, one block per step.</summary>
        private void Draw(float[] buffer, int steps)
        {
            int block = run._batch * run._hidden;
            for (int t = 0; t < steps; t++) run._noise.Fill(buffer.AsSpan(t * block, block));
        }

        /// <summary>Moves the first part's rows by the time its part took beyond (or short of) the slowest other part.
        /// Which rows a part takes never changes a result.</summary>
        private void Rebalance(int units)
        {
            long others = 0;
            for (int p = 1; p < Parts; p++) others = Math.Max(others, _ticks[p]);
            (int b0, int b1) = Rows(1);
            if (others <= 0 || b1 <= b0) return;
            double perUnit = others / ((double)(b1 - b0) / _shareRows);
            int shift = (int)Math.Round((others - _ticks[0]) / perUnit / Parts);
            int unitsFirst = Math.Clamp(_split / _shareRows + shift, 1, units - (Parts - 1));
            _split = unitsFirst * _shareRows;
        }

        /// <summary>Rows of part <paramref name="part"/>: [0, split) for the first, the rest in near-equal whole shares.</summary>
        private (int Start, int End) Rows(int part)
        {
            int batch = run._batch;
            if (part == 0) return (0, Math.Min(_split, batch));
            (int start, int end) = BatchParts.Rows(batch - _split, part - 1, Parts - 1, _shareRows);
            return (_split + start, _split + end);
        }

        /// <summary>Steps [_first, _first + _count) of this call for the rows of part <paramref name="part"/> (the first part
        /// draws the next stretch's noise before).</summary>
        public unsafe void Run(int part)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (part == 0 && _nextCount > 0) Draw(_next, _nextCount);
            (int b0, int b1) = Rows(part);
            int nH = run._hidden, nOut = run._outputs, rows = b1 - b0, time = _time, block = run._batch * nH;
            float[] h = run._h;
            var hiddenOut = new Span<float>(_hiddenPtr, _hiddenLength);
            var outputs = new Span<float>(_outputsPtr, _outputsLength);
            ReadOnlySpan<float> bias = run._cell.ReadoutBias is { } name ? run._cell.Parameters[name] : default;
            for (int i = 0; i < _count && rows > 0; i++)
            {
                int t = _first + i;
                ReadOnlySpan<float> xi = run._xi is null ? default : _current.AsSpan(i * block + b0 * nH, rows * nH);
                run._step.AdvanceRows(h, b0, b1, xi, run._std, run._tier);
                ReadOnlySpan<float> state = h.AsSpan(b0 * nH, rows * nH);
                if (!float.IsFinite(TensorPrimitives.MaxMagnitude(state)))
                {
                    _diverged[part] = (t, 0);
                    break;
                }
                if (!hiddenOut.IsEmpty)
                {
                    for (int b = b0; b < b1; b++) h.AsSpan(b * nH, nH).CopyTo(hiddenOut.Slice((b * time + t) * nH, nH));
                }
                if (run._wOutT is null || outputs.IsEmpty) continue;
                // y_t = W_out h_t (+ b_out) for these rows, written to rows (b, t) with stride time·output.
                Gemm.MultiplyPacked(state, nH, false, run._wOutT, outputs[((b0 * time + t) * nOut)..], time * nOut, rows, false, run._tier, 1);
                bool finite = true;
                for (int b = b0; b < b1 && finite; b++)
                {
                    Span<float> row = outputs.Slice((b * time + t) * nOut, nOut);
                    if (!bias.IsEmpty) TensorPrimitives.Add(row, bias, row);
                    finite = !run._checkReadout || TensorPrimitives.IsFiniteAll<float>(row);
                }
                if (!finite)
                {
                    _diverged[part] = (t, 1);
                    break;
                }
            }
            _ticks[part] = System.Diagnostics.Stopwatch.GetTimestamp() - started;
        }
    }
}
