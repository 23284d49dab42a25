// Times the analysis phases of `noisyrnn reproduce` (after training) one library call at a time at paper size:
// dotnet run -c Release --project benchmarks/phases/harness -- [vanilla|gru] [repeats]. Prints the minimum and every time.
using System.Diagnostics;
using NoisyRnn.Analysis;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

// Phases of the analysis `reproduce` runs after training, on a freshly initialised paper-size spatial network
// (vanilla ReLU or GRU tanh, 512 hidden, 512 place cells, 200 chains): quiescent chains (2000 steps, decoded every step),
// the quiescent KDE over the KL window (1000 steps x 200 chains) and the Monte Carlo KL (2500 samples), the hidden-state
// quiescent run (1000 steps, every 10th state kept) and the PCA of the active hidden states (20,000 x 512).
string cell = args.Length > 0 ? args[0] : "vanilla";
int repeats = args.Length > 1 ? int.Parse(args[1]) : 2;
const int batch = 200, hidden = 512, cells = 512;
var options = new SpatialNavigationOptions { SequenceLength = 100 };
var task = new SpatialNavigationTask(options, PlaceCells.CreateRandom(cells, 0.2, options.BoxWidth, options.BoxHeight, 0));
IRecurrentNetwork model = cell == "gru"
    ? GruRnn.CreateInitialized(new GruRnnOptions(2, hidden, cells, cells, Activation.Tanh, 1f, 0.2f), 0)
    : VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, hidden, cells, cells, Activation.Relu, 1f, 0.2f), 0);
var data = (SpatialNavigationBatch)task.AllocateBatch(batch);
task.NextBatch(new SeededTaskRandom(1), data, encodeTargets: true);
var h0 = new float[batch * hidden];
model.Encode(data.InitialState, batch, h0);
// Active decoded positions and hidden states of a forward pass (the active KDE's data and the PCA's).
var tape = model.CreateTape(batch, 100);
model.Forward(data.Inputs, data.InitialState, NoiseLevels.Recurrent(0.01f), NoiseStreams.FromSeed(2), tape);
var activeDecoded = new float[batch * 100 * 2];
task.Decode(tape.Outputs, activeDecoded);
var activeKde = new GaussianKde(Array.ConvertAll(activeDecoded, x => (double)x), 2);
Console.WriteLine($"cell {cell}, tier {Isa.Tier}, processors {Environment.ProcessorCount}");
var times = new Dictionary<string, List<double>>();
void Time(string name, Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    (times.TryGetValue(name, out var l) ? l : times[name] = new List<double>()).Add(sw.Elapsed.TotalSeconds);
}
for (int r = 0; r < repeats; r++)
{
    float[] decoded = [];
    Time("quiescence_2000_steps_decoded", () => decoded = Quiescence.Run(model, h0, batch, 2000, 0.0141f, new GaussianNoiseSource(3), (y, d) => task.Decode(y, d), 2));
    var window = new double[batch * 1000 * 2];
    for (int b = 0; b < batch; b++)
        for (int i = 0; i < 2000; i++)
            window[b * 2000 + i] = decoded[b * 4000 + i];
    GaussianKde q = null!;
    Time("kde_quiescent_200k_points", () => q = new GaussianKde(window, 2));
    Time("kl_monte_carlo_2500", () => KlDivergence.MonteCarlo(q, activeKde, 2500, 5));
    Time("hidden_quiescent_1000_steps_stride_10", () => HiddenStateReactivation.RunQuiescent(model, h0, batch, 1000, 10, 0.0141f, new GaussianNoiseSource(4)));
    Time("pca_active_hidden_20000x512", () => Pca.Fit(tape.Hidden, batch * 100, hidden));
}
foreach (var (name, list) in times)
    Console.WriteLine($"{name,-40} min {list.Min():F2} s  all {string.Join(" ", list.Select(x => x.ToString("F2")))}");
