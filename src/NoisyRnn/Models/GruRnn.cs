using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// Continuous-time gated recurrent unit with noise injection, trained by back-propagation through time (Krishna et
/// al., ICLR 2024, Sec. 4 "architectures"; reference: <c>GRU</c> in models/gru.py; fixture gru_tanh.json). Per step t,
/// with alpha = Dt / TimeConstant and x̃_t the noisy input:
/// <code>
/// h_0 = W_enc s (+ b_enc)                                   (s: initial-state code, [batch, init])
/// x̃_t = x_t + InputStd·xi_in_t
/// z_t = sigmoid(W_z x̃_t + U_z h_{t-1})                       (update gate)
/// r_t = sigmoid(W_r x̃_t + U_r h_{t-1})                       (reset gate)
/// u_t = W_h x̃_t + U_h (r_t ⊙ h_{t-1})                        (candidate pre-activation)
/// h_t = h_{t-1} + alpha (z_t - 1) ⊙ (h_{t-1} - act(u_t)) + RecurrentStd·xi_rec_t
/// y_t = W_dec h_t (+ b_dec) + OutputStd·xi_out_t
/// </code>
/// (with UseBias every linear map adds its own bias). Parameters (PyTorch <c>nn.Linear</c> layout [out, in]), in buffer
/// order: <c>encoder.weight</c> [hidden, init], <c>w_z.weight</c> [hidden, input], <c>u_z.weight</c> [hidden, hidden],
/// <c>w_r.weight</c>, <c>u_r.weight</c>, <c>w_h.weight</c>, <c>u_h.weight</c> (same shapes), <c>decoder.weight</c>
/// [output, hidden]; with <see cref="GruRnnOptions.UseBias"/> each weight is followed by its <c>.bias</c>.
/// With <see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/> set
/// (adaptation b, τ_a; momentum M), the candidate and the state update become, with a_{-1} = w_{-1} = 0, s = RecurrentStd
/// and the gates unchanged:
/// <code>
/// u_t = W_h x̃_t + U_h (r_t ⊙ h_{t-1}) − a_{t-1}
/// phi_t = alpha (z_t - 1) ⊙ (h_{t-1} - act(u_t))
/// w_t = M w_{t-1} + (1 + M) phi_t + √(1 − M²) s xi_rec_t,   h_t = h_{t-1} + w_t
/// a_t = a_{t-1} (1 − 1/τ_a) + (b/τ_a) h_t
/// </code>
/// (the quiescence runner's step with the task's input inside phi, <see cref="DynamicsModifiers"/>) and back-propagation
/// through time goes through a and w (M = b = 0 is the step above).
/// Not thread-safe: use one instance (or one tape) per thread.
/// </summary>
public sealed class GruRnn : RecurrentNetwork<GruRnnOptions, GruTape>
{
    /// <summary>Checkpoint name of this cell: <c>gru</c>.</summary>
    public const string ModelKind = "gru";

    /// <summary>Name of the encoder weight W_enc, [hidden, init].</summary>
    public const string EncoderWeight = "encoder.weight";

    /// <summary>Name of the update-gate input weight W_z, [hidden, input].</summary>
    public const string UpdateInputWeight = "w_z.weight";

    /// <summary>Name of the update-gate recurrent weight U_z, [hidden, hidden].</summary>
    public const string UpdateRecurrentWeight = "u_z.weight";

    /// <summary>Name of the reset-gate input weight W_r, [hidden, input].</summary>
    public const string ResetInputWeight = "w_r.weight";

    /// <summary>Name of the reset-gate recurrent weight U_r, [hidden, hidden].</summary>
    public const string ResetRecurrentWeight = "u_r.weight";

    /// <summary>Name of the candidate input weight W_h, [hidden, input].</summary>
    public const string CandidateInputWeight = "w_h.weight";

    /// <summary>Name of the candidate recurrent weight U_h, [hidden, hidden].</summary>
    public const string CandidateRecurrentWeight = "u_h.weight";

    /// <summary>Name of the readout weight W_dec, [output, hidden].</summary>
    public const string DecoderWeight = "decoder.weight";

    private static readonly string[] LayerNames = ["encoder", "w_z", "u_z", "w_r", "u_r", "w_h", "u_h", "decoder"];

    /// <summary>Creates a model with all parameters zero.</summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="GruRnnOptions.Validate"/>).</exception>
    public GruRnn(GruRnnOptions options)
        : base(options, Layout)
    {
    }

    /// <summary>
    /// Creates a model initialised like PyTorch's <c>nn.Linear</c> default: every weight and bias of a layer with fan-in f
    /// drawn from U(-1/sqrt(f), 1/sqrt(f)) by a seeded xoshiro256** generator, in buffer order.
    /// </summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <returns>The initialised model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static GruRnn CreateInitialized(GruRnnOptions options, ulong seed)
    {
        var model = new GruRnn(options);
        LayerMath.InitializeUniformFanIn(model.Parameters, seed, name => name[..name.IndexOf('.')] switch
        {
            "encoder" => options.InitSize,
            "w_z" or "w_r" or "w_h" => options.InputSize,
            _ => options.HiddenSize,
        });
        return model;
    }

    private static IEnumerable<(string, int[])> Layout(GruRnnOptions o)
    {
        foreach (string layer in LayerNames)
        {
            int rows = layer == "decoder" ? o.OutputSize : o.HiddenSize;
            int cols = layer switch
            {
                "encoder" => o.InitSize,
                "w_z" or "w_r" or "w_h" => o.InputSize,
                _ => o.HiddenSize,
            };
            yield return (layer + ".weight", new[] { rows, cols });
            if (o.UseBias) yield return (layer + ".bias", new[] { rows });
        }
    }

    /// <inheritdoc />
    public override string Kind => ModelKind;

    /// <summary>The GRU trains with <see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/> (the modified step of the class
    /// remarks).</summary>
    private protected override bool TrainsWithDynamics => true;

    private protected override string? EncoderBiasName => Options.UseBias ? "encoder.bias" : null;

    private protected override string ReadoutWeightName => DecoderWeight;

    private protected override string? ReadoutBiasName => Options.UseBias ? "decoder.bias" : null;

    private protected override GruTape NewTape(int batch, int time) => new(Options, batch, time);

    /// <summary>The combined bias of a pre-activation (input map bias + recurrent map bias), or null without biases.</summary>
    private float[]? GateBias(string inputLayer, string recurrentLayer)
    {
        if (!Options.UseBias) return null;
        var sum = new float[Options.HiddenSize];
        TensorPrimitives.Add(Parameters[inputLayer + ".bias"], Parameters[recurrentLayer + ".bias"], sum);
        return sum;
    }

    /// <summary>Writes <paramref name="bias"/> into each of the first <paramref name="rows"/> rows, or zeros when it is null.</summary>
    private void FillRows(Span<float> buffer, int rows, float[]? bias)
    {
        int nH = Options.HiddenSize;
        if (bias is null)
        {
            buffer[..(rows * nH)].Clear();
            return;
        }
        for (int r = 0; r < rows; r++) bias.CopyTo(buffer.Slice(r * nH, nH));
    }

    private protected override void ForwardSteps(GruTape tape, float[]? noise, float noiseStd, IsaTier tier, int threads)
    {
        var o = Options;
        int rows = tape.Batch * tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        ParameterSet p = Parameters;
        // Input parts of the three pre-activations for all steps at once: X̃·Wᵀ (+ biases), [batch·time, hidden].
        float[] z = tape.UpdateGateBuffer, r = tape.ResetGateBuffer, u = tape.CandidateBuffer;
        FillRows(z, rows, GateBias("w_z", "u_z"));
        FillRows(r, rows, GateBias("w_r", "u_r"));
        FillRows(u, rows, GateBias("w_h", "u_h"));
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[UpdateInputWeight], z, rows, nH, nIn, accumulate: true);
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[ResetInputWeight], r, rows, nH, nIn, accumulate: true);
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[CandidateInputWeight], u, rows, nH, nIn, accumulate: true);

        // Every step multiplies by the three recurrent weights: pack them into GEMM panels once for the whole pass.
        PackedMatrix uzT = tape.UpdateRecurrentPacked, urT = tape.ResetRecurrentPacked, uhT = tape.CandidateRecurrentPacked;
        uzT.PackTransposed(p[UpdateRecurrentWeight], nH, nH, tier);
        urT.PackTransposed(p[ResetRecurrentWeight], nH, nH, tier);
        uhT.PackTransposed(p[CandidateRecurrentWeight], nH, nH, tier);
        // The recurrence, with rows of the batch in independent parts on different cores (BatchParts).
        GruForwardRecurrence loop = tape.ForwardLoop;
        loop.Noise = noise;
        loop.NoiseScale = noiseStd;
        loop.RunAll(tier, threads);
    }

    /// <summary>BPTT below the readout, from dL/dh_t's readout part in tape.HiddenGradient: the recurrence, every
    /// recurrent, input and bias gradient but the encoder's (ADDED into <paramref name="gradient"/>), and dL/dh_0.</summary>
    private protected override void BackwardSteps(GruTape tape, ParameterSet gradient, IsaTier tier, int threads)
    {
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        int rows = batch * time;
        ParameterSet p = Parameters;
        float[] daz = tape.UpdatePreGradient ??= new float[rows * nH];
        float[] dar = tape.ResetPreGradient ??= new float[rows * nH];
        float[] du = tape.CandidateGradient ??= new float[rows * nH];
        tape.GatedGradient ??= new float[batch * nH]; // dq_t of one step, [batch, hidden], used by the backward loop
        float[] dh0 = tape.InitialHiddenGradient ??= new float[batch * nH];
        Array.Clear(dh0);

        float[] q = tape.GatedHiddenBuffer, h = tape.HiddenBuffer;
        Span<float> dUz = gradient[UpdateRecurrentWeight], dUr = gradient[ResetRecurrentWeight], dUh = gradient[CandidateRecurrentWeight];
        // dh_{t-1} and dq_t multiply by the recurrent weights at every step: pack them once for the whole pass.
        PackedMatrix uz = tape.UpdateRecurrentPacked, ur = tape.ResetRecurrentPacked, uh = tape.CandidateRecurrentPacked;
        uz.Pack(p[UpdateRecurrentWeight], nH, nH, tier);
        ur.Pack(p[ResetRecurrentWeight], nH, nH, tier);
        uh.Pack(p[CandidateRecurrentWeight], nH, nH, tier);
        // The recurrence, with rows of the batch in independent parts on different cores (BatchParts).
        tape.BackwardLoop.RunAll(tier, threads);

        // Recurrent weight gradients, each one product over batch·time rows: dU_h += Σ du_tᵀ q_t,
        // dU_z += Σ d(z pre)_tᵀ h_{t-1},  dU_r += Σ d(r pre)_tᵀ h_{t-1}.
        Gemm.MultiplyTransposedA(du, q, dUh, nH, nH, rows, accumulate: true);
        float[] aside = tape.FirstStepGradient ??= new float[batch * nH];
        BatchParts.AddPreviousStateProduct(daz, aside, h, tape.InitialHiddenBuffer, dUz, batch, time, nH, tier, threads);
        BatchParts.AddPreviousStateProduct(dar, aside, h, tape.InitialHiddenBuffer, dUr, batch, time, nH, tier, threads);

        // Input weights (all steps at once): dW_z += d(z pre)ᵀ·X̃, dW_r += d(r pre)ᵀ·X̃, dW_h += dUᵀ·X̃.
        Gemm.MultiplyTransposedA(daz, tape.NoisyInputBuffer, gradient[UpdateInputWeight], nH, nIn, rows, accumulate: true);
        Gemm.MultiplyTransposedA(dar, tape.NoisyInputBuffer, gradient[ResetInputWeight], nH, nIn, rows, accumulate: true);
        Gemm.MultiplyTransposedA(du, tape.NoisyInputBuffer, gradient[CandidateInputWeight], nH, nIn, rows, accumulate: true);
        if (o.UseBias)
        {
            // Each pre-activation carries two biases (input map and recurrent map); both receive the same gradient.
            LayerMath.SumRows(daz, rows, gradient["w_z.bias"]);
            LayerMath.SumRows(daz, rows, gradient["u_z.bias"]);
            LayerMath.SumRows(dar, rows, gradient["w_r.bias"]);
            LayerMath.SumRows(dar, rows, gradient["u_r.bias"]);
            LayerMath.SumRows(du, rows, gradient["w_h.bias"]);
            LayerMath.SumRows(du, rows, gradient["u_h.bias"]);
        }
    }

    private protected override SimulationStep CreateStep(int batch, IsaTier tier) => new Step(this, batch, tier);

    /// <summary>One GRU step from the equations of the class remarks, with x̃_t = x_t, alpha = <see cref="SimulationStep.Leak"/>
    /// (the cell's own unless overridden) and the adaptation a_t, when set, subtracted from the candidate pre-activation u_t
    /// (<see cref="DynamicsModifiers"/>).</summary>
    private sealed class Step : SimulationStep
    {
        private readonly GruRnn _model;
        private readonly float[] _z, _r, _u, _q;
        private readonly PackedMatrix _uzT = new(), _urT = new(), _uhT = new();
        private readonly float[]? _bz, _br, _bh;

        public Step(GruRnn model, int batch, IsaTier tier)
        {
            _model = model;
            ParameterSet p = model.Parameters;
            int nH = model.Options.HiddenSize;
            _z = new float[batch * nH];
            _r = new float[batch * nH];
            _u = new float[batch * nH];
            _q = new float[batch * nH];
            _uzT.PackTransposed(p[UpdateRecurrentWeight], nH, nH, tier);
            _urT.PackTransposed(p[ResetRecurrentWeight], nH, nH, tier);
            _uhT.PackTransposed(p[CandidateRecurrentWeight], nH, nH, tier);
            _bz = model.GateBias("w_z", "u_z");
            _br = model.GateBias("w_r", "u_r");
            _bh = model.GateBias("w_h", "u_h");
            Leak = model.Options.Alpha;
        }

        public override bool SupportsAdaptation => true;

        public override void Advance(float[] h, ReadOnlySpan<float> inputs, int inputStride, float[]? noise, float noiseStd, IsaTier tier, int threads)
        {
            var o = _model.Options;
            ParameterSet p = _model.Parameters;
            int nIn = o.InputSize, nH = o.HiddenSize, batch = h.Length / nH;
            float[] z = _z, r = _r, u = _u, q = _q;
            _model.FillRows(z, batch, _bz);
            _model.FillRows(r, batch, _br);
            _model.FillRows(u, batch, _bh);
            if (!inputs.IsEmpty)
            {
                Gemm.MultiplyTransposedBStrided(inputs, inputStride, p[UpdateInputWeight], z, nH, batch, nH, nIn, true, tier, threads);
                Gemm.MultiplyTransposedBStrided(inputs, inputStride, p[ResetInputWeight], r, nH, batch, nH, nIn, true, tier, threads);
                Gemm.MultiplyTransposedBStrided(inputs, inputStride, p[CandidateInputWeight], u, nH, batch, nH, nIn, true, tier, threads);
            }
            Recur(h, z, r, u, q, Adaptation, noise, noiseStd, tier, threads);
        }

        public override bool SupportsRows => true;

        public override void AdvanceRows(float[] hidden, int start, int end, ReadOnlySpan<float> noise, float noiseStd, IsaTier tier)
        {
            int nH = _model.Options.HiddenSize, rows = end - start, first = start * nH, length = rows * nH;
            Span<float> z = _z.AsSpan(first, length), r = _r.AsSpan(first, length), u = _u.AsSpan(first, length);
            _model.FillRows(z, rows, _bz);
            _model.FillRows(r, rows, _br);
            _model.FillRows(u, rows, _bh);
            Recur(hidden.AsSpan(first, length), z, r, u, _q.AsSpan(first, length),
                Adaptation is { } a ? a.AsSpan(first, length) : default, noise, noiseStd, tier, 1);
        }

        /// <summary>The recurrent part of a step over [rows, hidden] blocks, the input and bias parts already in z, r and u:
        /// z, r += U h; sigmoid; q = r ⊙ h; u += U_h q (− a); h = GRU update.</summary>
        private void Recur(Span<float> h, Span<float> z, Span<float> r, Span<float> u, Span<float> q, ReadOnlySpan<float> adaptation,
            ReadOnlySpan<float> noise, float noiseStd, IsaTier tier, int threads)
        {
            int nH = _model.Options.HiddenSize, rows = h.Length / nH;
            Gemm.MultiplyPacked(h, nH, false, _uzT, z, nH, rows, true, tier, threads);
            Gemm.MultiplyPacked(h, nH, false, _urT, r, nH, rows, true, tier, threads);
            TensorPrimitives.Sigmoid(z, z);
            TensorPrimitives.Sigmoid(r, r);
            TensorPrimitives.Multiply(r, h, q);
            Gemm.MultiplyPacked(q, nH, false, _uhT, u, nH, rows, true, tier, threads);
            if (!adaptation.IsEmpty) TensorPrimitives.Subtract(u, adaptation, u);
            FusedGru.Update(h, z, u, noise, Leak!.Value, noiseStd, _model.Options.Activation, h, tier);
        }
    }
}
