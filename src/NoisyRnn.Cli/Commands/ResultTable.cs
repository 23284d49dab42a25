using System.Globalization;

namespace NoisyRnn.Cli.Commands;

/// <summary>Prints the reproduce summary as an aligned text table.</summary>
internal static class ResultTable
{
    public static void Print(TextWriter log, NoisyRnn.Experiments.ExperimentSummary s)
    {
        static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        log.WriteLine();
        log.WriteLine("Networks (held-out batch):");
        string unit = s.Networks.Count > 0 ? s.Networks[0].DecodingUnit : "m";
        log.WriteLine($"  {"network",-15} {"noise std",9} {"test loss",10} {"error (" + unit + ")",14} {"KL(uniform||active)",19}");
        foreach (var n in s.Networks)
            log.WriteLine($"  {n.Name,-15} {n.NoiseStd,9:G3} {F(n.TestLoss, "E2"),10} {F(n.DecodingError, "F3"),14} {F(n.KlUniformToActive, "F3"),19}");
        log.WriteLine();
        log.WriteLine($"Quiescence ({s.Task}, {s.Model}; decoded coordinates in {unit}; KL is KL(quiescent || active) in nats):");
        log.WriteLine($"  {"run",-26} {"sigma_q",8} {"KL",12} {"variance (" + unit + "^2)",14} {"step active",11} {"step quiescent",14}");
        foreach (var r in s.Runs)
        {
            string kl = r.KlQuiescentToActive is { } k ? $"{F(k, "F3")}±{F(r.KlStandardError, "F3")}" : "n/a";
            log.WriteLine($"  {r.Name,-26} {r.QuiescentNoiseStd,8:G3} {kl,12} {F(r.QuiescentOutputVariance, "F4"),14} {F(r.ActiveStepDistance, "F4"),11} {F(r.QuiescentStepDistance, "F4"),14}");
        }
        if (s.KlRandomNetworkToActive is { } random)
        {
            string values = string.Join(", ", random.Select(kv => $"{kv.Key} {F(kv.Value, "F3")}"));
            log.WriteLine($"  {"untrained random network",-26} KL(quiescent || active of each network): {values}{(s.KlRandomNetworkNote is { } note ? $" ({note})" : "")}");
        }
        log.WriteLine();
        log.WriteLine("Theory (held-out batch, training noise): loss decomposition per output unit, and cos(autonomous drift, KDE score):");
        log.WriteLine($"  {"network",-15} {"denoise",10} {"integrate",10} {"noise",10} {"total",10} {"bound",10} {"alignment",10}");
        foreach (var r in s.Runs.GroupBy(r => r.Network).Select(g => g.First()))
        {
            var d = r.LossDecomposition;
            log.WriteLine($"  {r.Network,-15} {F(d?.Denoise, "E2"),10} {F(d?.Integrate, "E2"),10} {F(d?.Noise, "E2"),10} {F(d?.Total, "E2"),10} {F(d?.Bound, "E2"),10} {F(r.DenoisingAlignment, "F3"),10}");
        }
        log.WriteLine();
        log.WriteLine("Verdict (each prediction checked on this run; see report.md of `noisyrnn report` for several seeds):");
        Verdict.Print(log, NoisyRnn.Experiments.ExperimentClaims.Evaluate([s]));
    }
}
