using System.Numerics.Tensors;

namespace NoisyRnn.Models;

/// <summary>
/// Adaptation and momentum (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>) inside the training passes of one tape,
/// shared by the forward and backward loops of every cell that takes them: the step's constants and, per batch row, the
/// adaptation current a, the velocity w, the noise-free update f and their adjoints ([batch, hidden] each). Per step t,
/// with h_{t-1} the previous state, s the recurrent noise std and xi_t the draws, a cell's forward loop
/// <list type="number">
/// <item>subtracts a_{t-1} from the pre-activation inside its activation (<see cref="SubtractAdaptation"/>),</item>
/// <item>writes its noise-free step f_t = f(h_{t-1}, x̃_t) into <see cref="Drift"/> and its standard noisy step
/// f_t + s xi_t into h_t,</item>
/// <item>calls <see cref="CompleteStep"/>, which makes h_t = h_{t-1} + w_t with
/// w_t = M w_{t-1} + (1 + M)(f_t − h_{t-1}) + √(1 − M²) s xi_t, and a_t = (1 − 1/τ_a) a_{t-1} + (b/τ_a) h_t.</item>
/// </list>
/// Its backward loop, with H_s the complete dL/dh_s, takes F_s = dL/df_s from <see cref="DriftGradient"/>, back-propagates
/// F_s through f as the cell's standard step (du_s, the direct path into dL/dh_{s-1}) and adds the velocity and adaptation
/// paths with <see cref="AddStatePaths"/>. With M = 0 and b = 0 every added term is an exact zero and F_s = H_s, so the
/// modified loops give the standard loops' bits. The methods touch row b of each buffer only: parts of the batch run on
/// different threads.
/// </summary>
internal sealed class ModifiedDynamics
{
    private readonly int _hidden;
    private readonly float[] _velocity, _adaptation, _drift, _velocityGradient, _adaptationGradient;

    /// <summary>(√(1 − M²) − 1)·s: the noise of the momentum step minus the noise of the plain step (0 for M = 0).</summary>
    private float _noiseCorrection;

    /// <summary>Allocates the per-row buffers, [batch, hidden] each.</summary>
    public ModifiedDynamics(int batch, int hidden)
    {
        _hidden = hidden;
        int n = checked(batch * hidden);
        _velocity = new float[n];
        _adaptation = new float[n];
        _drift = new float[n];
        _velocityGradient = new float[n];
        _adaptationGradient = new float[n];
    }

    /// <summary>Momentum M (0 for none).</summary>
    public float Momentum { get; private set; }

    /// <summary>Adaptation: a ← Keep·a + Gain·h (Keep = 1 − 1/τ_a, Gain = b/τ_a; Gain 0 for none).</summary>
    public float AdaptationKeep { get; private set; }

    /// <inheritdoc cref="AdaptationKeep"/>
    public float AdaptationGain { get; private set; }

    /// <summary>Sets the constants of the next pass from <paramref name="dynamics"/> (no leak override) and the pass's
    /// recurrent noise std <paramref name="noiseScale"/>.</summary>
    public void Set(DynamicsModifiers dynamics, float noiseScale)
    {
        double m = dynamics.Momentum;
        Momentum = (float)m;
        _noiseCorrection = (float)((Math.Sqrt(1 - m * m) - 1) * noiseScale);
        AdaptationKeep = (float)(1 - 1 / dynamics.AdaptationTimeConstant);
        AdaptationGain = (float)(dynamics.Adaptation / dynamics.AdaptationTimeConstant);
    }

    /// <summary>Forward, step <paramref name="t"/> of row <paramref name="b"/>: u_t −= a_{t-1} (a_{-1} = w_{-1} = 0, set at t = 0).</summary>
    public void SubtractAdaptation(int b, int t, Span<float> preActivation)
    {
        Span<float> a = _adaptation.AsSpan(b * _hidden, _hidden);
        if (t == 0)
        {
            a.Clear();
            _velocity.AsSpan(b * _hidden, _hidden).Clear();
        }
        TensorPrimitives.Subtract(preActivation, a, preActivation);
    }

    /// <summary>Row <paramref name="b"/>'s buffer for the cell's noise-free update f_t, [hidden] (forward).</summary>
    public Span<float> Drift(int b) => _drift.AsSpan(b * _hidden, _hidden);

    /// <summary>
    /// Forward, row <paramref name="b"/>, with f_t in <see cref="Drift"/> and the standard step f_t + s xi_t in
    /// <paramref name="hidden"/>: adds M (f_t − h_{t-1}) + M w_{t-1} + (√(1 − M²) − 1) s xi_t to h_t (which makes it
    /// h_{t-1} + w_t), then w_t = h_t − h_{t-1} and a_t = Keep a_{t-1} + Gain h_t.
    /// </summary>
    /// <param name="b">Batch row.</param>
    /// <param name="previous">h_{t-1}, [hidden].</param>
    /// <param name="noise">Raw draws xi_t, [hidden], or empty for none.</param>
    /// <param name="hidden">h_t, [hidden]: the standard step on entry, the modified one on return.</param>
    public void CompleteStep(int b, ReadOnlySpan<float> previous, ReadOnlySpan<float> noise, Span<float> hidden)
    {
        Span<float> f = Drift(b), w = _velocity.AsSpan(b * _hidden, _hidden), a = _adaptation.AsSpan(b * _hidden, _hidden);
        // The correction M (f − h_{t-1}) + M w_{t-1} + (√(1 − M²) − 1) s xi, into f.
        TensorPrimitives.Subtract(f, previous, f);
        TensorPrimitives.Multiply(f, Momentum, f);
        TensorPrimitives.MultiplyAdd(w, Momentum, f, f);
        if (!noise.IsEmpty) TensorPrimitives.MultiplyAdd(noise, _noiseCorrection, f, f);
        TensorPrimitives.Add(hidden, f, hidden);
        TensorPrimitives.Subtract(hidden, previous, w);
        TensorPrimitives.Multiply(a, AdaptationKeep, a);
        TensorPrimitives.MultiplyAdd(hidden, AdaptationGain, a, a);
    }

    /// <summary>Backward: clears the adjoints V (velocity) and A (adaptation) of rows [<paramref name="b0"/>, <paramref name="b1"/>)
    /// before step time − 1 (V_T = A_{T-1} = 0).</summary>
    public void BeginBackward(int b0, int b1)
    {
        _velocityGradient.AsSpan(b0 * _hidden, (b1 - b0) * _hidden).Clear();
        _adaptationGradient.AsSpan(b0 * _hidden, (b1 - b0) * _hidden).Clear();
    }

    /// <summary>
    /// Backward, step s of row <paramref name="b"/>, given H_s = dL/dh_s complete: V_s = H_s + M V_{s+1}
    /// (h_s = h_{s-1} + w_s; w_{s+1} = M w_s + ...), and returns F_s = dL/df_s = (1 + M) V_s
    /// (w_s = ... + (1 + M)(f_s − h_{s-1})) in row b's drift buffer, for the cell to back-propagate through f_s.
    /// </summary>
    public Span<float> DriftGradient(int b, ReadOnlySpan<float> hiddenGradient)
    {
        Span<float> v = _velocityGradient.AsSpan(b * _hidden, _hidden), f = Drift(b);
        TensorPrimitives.MultiplyAdd(v, Momentum, hiddenGradient, v);
        TensorPrimitives.Multiply(v, 1f + Momentum, f);
        return f;
    }

    /// <summary>
    /// Backward, step <paramref name="s"/> of row <paramref name="b"/>, after the cell back-propagated F_s (row b's drift
    /// buffer, overwritten here) through f_s into du_s and dL/dh_{s-1}: adds the velocity paths H_s − F_s
    /// (h_s = h_{s-1} + w_s, w_s = ... − (1 + M) h_{s-1}) and, for s &gt; 0, the adaptation path: A_{s-1} = (1 − 1/τ_a) A_s − du_s
    /// (u_s = ... − a_{s-1}; a_s = (1 − 1/τ_a) a_{s-1} + ...), dL/dh_{s-1} += (b/τ_a) A_{s-1} (a_{s-1} = ... + (b/τ_a) h_{s-1};
    /// a_{-1} is the constant 0).
    /// </summary>
    /// <param name="b">Batch row.</param>
    /// <param name="s">Step.</param>
    /// <param name="hiddenGradient">H_s, [hidden].</param>
    /// <param name="preActivationGradient">du_s, the gradient of the pre-activation a is subtracted from, [hidden].</param>
    /// <param name="previousGradient">dL/dh_{s-1} (dL/dh_0 for s = 0), [hidden]; the paths are ADDED to it.</param>
    public void AddStatePaths(int b, int s, ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> preActivationGradient, Span<float> previousGradient)
    {
        Span<float> f = Drift(b);
        // Velocity paths: H_s − F_s (zero for M = 0).
        TensorPrimitives.Subtract(hiddenGradient, f, f);
        TensorPrimitives.Add(previousGradient, f, previousGradient);
        if (s > 0)
        {
            Span<float> a = _adaptationGradient.AsSpan(b * _hidden, _hidden);
            TensorPrimitives.Multiply(a, AdaptationKeep, a);
            TensorPrimitives.Subtract(a, preActivationGradient, a);
            TensorPrimitives.MultiplyAdd(a, AdaptationGain, previousGradient, previousGradient);
        }
    }
}
