using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Models;

public class VanillaRnnGradientCheckTests
{
    private const int Batch = 3, Time = 5, Hidden = 7, Input = 2, Output = 5, Init = 5;

    /// <summary>Central-difference step: balances float32 rounding of the loss (grows as 1/eps) against truncation (grows as eps²).</summary>
    private const float Epsilon = 2e-3f;

    /// <summary>Float32 rounding of the loss (~1e-6 absolute on |L| ~ 5) divided by 2·eps: observed up to 1.4e-4.</summary>
    private const double AbsoluteTolerance = 5e-4;

    /// <summary>Truncation error O(eps²·f''') of the central difference for smooth activations, relative to the slope.</summary>
    private const double RelativeTolerance = 1e-3;

    private static float[] Random(int n, Random rng, double scale)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    private sealed class Problem
    {
        public required VanillaRnn Model { get; init; }
        public required float[] Inputs { get; init; }
        public required float[] InitState { get; init; }
        public required float[] LossWeights { get; init; }
        public required float[] InputDraws { get; init; }
        public required float[] RecurrentDraws { get; init; }
        public required float[] OutputDraws { get; init; }
        public NoiseLevels Noise { get; } = new(0.05f, 0.1f, 0.02f);
        public VanillaTape Tape { get; set; } = null!;

        /// <summary>Fresh replay sources, so every evaluation sees the same draws.</summary>
        public NoiseStreams Streams() => new(
            new ReplayNoiseSource(InputDraws, NoiseDistribution.StandardNormal),
            new ReplayNoiseSource(RecurrentDraws, NoiseDistribution.StandardNormal),
            new ReplayNoiseSource(OutputDraws, NoiseDistribution.StandardNormal));

        /// <summary>L = Σ w_i y_i accumulated in float64, so dL/dy = w.</summary>
        public double Loss()
        {
            Model.Forward(Inputs, InitState, Noise, Streams(), Tape);
            double loss = 0;
            ReadOnlySpan<float> y = Tape.Outputs;
            for (int i = 0; i < y.Length; i++) loss += (double)LossWeights[i] * y[i];
            return loss;
        }
    }

    private static Problem Create(Activation activation, bool bias, int seed, VanillaBiasLayout layout = VanillaBiasLayout.RecurrentReadout)
    {
        var rng = new Random(seed);
        var options = new VanillaRnnOptions(Input, Hidden, Output, Init, activation, TimeConstant: 1f, Dt: 0.5f, UseBias: bias) { BiasLayout = layout };
        var model = VanillaRnn.CreateInitialized(options, (ulong)seed);
        // Stronger recurrent weights than the default init so the recurrent path matters.
        var wRec = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < wRec.Length; i++) wRec[i] *= 2f;
        var problem = new Problem
        {
            Model = model,
            Inputs = Random(Batch * Time * Input, rng, 1),
            InitState = Random(Batch * Init, rng, 1),
            LossWeights = Random(Batch * Time * Output, rng, 1),
            InputDraws = Random(Batch * Time * Input, rng, 1),
            RecurrentDraws = Random(Batch * Time * Hidden, rng, 1),
            OutputDraws = Random(Batch * Time * Output, rng, 1),
        };
        problem.Tape = model.CreateTape(Batch, Time);
        return problem;
    }

    private static bool[] Signs(VanillaTape tape) => tape.PreActivations.ToArray().Select(u => u > 0).ToArray();

    public static TheoryData<Activation, bool> Cases()
    {
        var data = new TheoryData<Activation, bool>();
        foreach (Activation a in Enum.GetValues<Activation>())
        {
            data.Add(a, false);
            data.Add(a, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(Activation activation, bool bias) =>
        CheckAgainstCentralDifferences(Create(activation, bias, seed: 17 + (int)activation), activation, $"bias={bias}");

    public static TheoryData<Activation> Activations() => new(Enum.GetValues<Activation>());

    /// <summary>The reference's layout: encoder, input, recurrent and readout biases (VanillaBiasLayout.AllLayers).</summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void AllLayerBiasesMatchCentralDifferences(Activation activation)
    {
        var problem = Create(activation, bias: true, seed: 31 + (int)activation, VanillaBiasLayout.AllLayers);
        // Every bias of order one, so that each visibly moves the loss.
        var rng = new Random(3);
        foreach (string name in new[] { VanillaRnn.EncoderBias, VanillaRnn.InputBias, VanillaRnn.RecurrentBias, VanillaRnn.OutputBias })
            Random(problem.Model.Parameters[name].Length, rng, 0.5).CopyTo(problem.Model.Parameters[name]);
        CheckAgainstCentralDifferences(problem, activation, "all layers");
    }

    private static void CheckAgainstCentralDifferences(Problem problem, Activation activation, string what)
    {
        var model = problem.Model;
        problem.Loss();
        bool[] baseSigns = Signs(problem.Tape);
        var gradient = model.Parameters.CloneEmpty();
        model.Backward(problem.Tape, problem.LossWeights, gradient);

        bool piecewise = activation == Activation.Relu;
        float[] theta = model.Parameters.Values;
        int checkedCount = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            float original = theta[i];
            theta[i] = original + Epsilon;
            double plus = problem.Loss();
            bool[] plusSigns = Signs(problem.Tape);
            theta[i] = original - Epsilon;
            double minus = problem.Loss();
            bool[] minusSigns = Signs(problem.Tape);
            theta[i] = original;
            // For ReLU skip the rare directions that cross a kink within ±eps: the difference quotient is not a derivative there.
            if (piecewise && (!plusSigns.SequenceEqual(baseSigns) || !minusSigns.SequenceEqual(baseSigns))) continue;
            // Divide by the actually representable step (original ± eps rounds in float32).
            double numeric = (plus - minus) / ((double)(original + Epsilon) - (double)(original - Epsilon));
            double analytic = gradient.Values[i];
            Assert.True(Math.Abs(numeric - analytic) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(analytic),
                $"{activation} {what} parameter {Name(model.Parameters, i)}: numeric {numeric}, backward {analytic}");
            checkedCount++;
        }
        Assert.True(checkedCount > theta.Length * 3 / 4, $"only {checkedCount} of {theta.Length} directions were smooth");
    }

    [Theory]
    [InlineData(1, 1, 1, 1, false)]   // one trajectory of one step through one unit
    [InlineData(1, 1, 1, 1, true)]
    [InlineData(9, 2, 3, 5, true)]    // batch one past a tile; dW_in by the product (inputs > 4)
    [InlineData(9, 3, 1, 6, false)]
    [InlineData(17, 1, 2, 4, true)]   // time 1: every dU row is a t = 0 row, set aside for dW_rec
    [InlineData(2, 4, 5, 3, false)]
    [InlineData(8, 3, 4, 2, true)]    // exactly one tile
    public void BackwardMatchesCentralDifferencesOnEdgeShapes(int batch, int time, int hidden, int inputs, bool bias) =>
        CheckEdgeShape(batch, time, hidden, inputs, bias, VanillaBiasLayout.RecurrentReadout);

    [Theory]
    [InlineData(1, 1, 1, 1)]    // one trajectory of one step through one unit
    [InlineData(9, 2, 3, 5)]    // batch one past a tile; dW_in and the biases by the product (inputs > 4)
    [InlineData(17, 1, 2, 4)]   // time 1: dh_0 feeds the encoder bias from every row
    [InlineData(8, 3, 4, 2)]    // exactly one tile, sums inside the backward loop
    public void AllLayerBiasesMatchCentralDifferencesOnEdgeShapes(int batch, int time, int hidden, int inputs) =>
        CheckEdgeShape(batch, time, hidden, inputs, true, VanillaBiasLayout.AllLayers);

    private static void CheckEdgeShape(int batch, int time, int hidden, int inputs, bool bias, VanillaBiasLayout layout)
    {
        const int outputs = 3, init = 2;
        var rng = new Random(5);
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(inputs, hidden, outputs, init, Activation.Tanh, TimeConstant: 1f, Dt: 0.5f, UseBias: bias)
        { BiasLayout = layout }, 7);
        float[] theta = model.Parameters.Values;
        // Weights of order one (not the init's 1/sqrt(fan-in)) so that every path contributes visibly.
        Random(theta.Length, rng, 1).CopyTo(theta, 0);
        var problem = new Problem
        {
            Model = model,
            Inputs = Random(batch * time * inputs, rng, 1),
            InitState = Random(batch * init, rng, 1),
            LossWeights = Random(batch * time * outputs, rng, 1),
            InputDraws = Random(batch * time * inputs, rng, 1),
            RecurrentDraws = Random(batch * time * hidden, rng, 1),
            OutputDraws = Random(batch * time * outputs, rng, 1),
        };
        problem.Tape = model.CreateTape(batch, time);
        problem.Loss();
        var gradient = model.Parameters.CloneEmpty();
        model.Backward(problem.Tape, problem.LossWeights, gradient);
        for (int i = 0; i < theta.Length; i++)
        {
            float original = theta[i];
            theta[i] = original + Epsilon;
            double plus = problem.Loss();
            theta[i] = original - Epsilon;
            double minus = problem.Loss();
            theta[i] = original;
            double numeric = (plus - minus) / ((double)(original + Epsilon) - (double)(original - Epsilon));
            double analytic = gradient.Values[i];
            Assert.True(Math.Abs(numeric - analytic) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(analytic),
                $"batch={batch} time={time} hidden={hidden} inputs={inputs} bias={bias} {layout} parameter {Name(model.Parameters, i)}: numeric {numeric}, backward {analytic}");
        }
    }

    private static string Name(ParameterSet set, int index)
    {
        var view = set.Views.Last(v => v.Offset <= index);
        return $"{view.Name}[{index - view.Offset}]";
    }
}
