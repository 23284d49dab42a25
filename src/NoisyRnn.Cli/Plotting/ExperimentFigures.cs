using NoisyRnn.Experiments;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Plotting;

/// <summary>Every figure of a finished experiment (the run folder's PNG and SVG files), from <see cref="Experiment.Run"/>'s result.</summary>
internal static class ExperimentFigures
{
    /// <summary>Writes the figures into the run folder; returns their paths relative to it.</summary>
    public static IReadOnlyList<string> Write(ExperimentResult result)
    {
        var files = new List<string>();
        string dir = result.Folder;
        var p = result.Config;
        var networks = result.Networks;
        var reports = result.Runs.Select(r => (r.Name, r.Report)).ToList();
        var matrix = result.Summary.KlMatrix!;
        if (result.Task is SpatialNavigationTask spatial)
        {
            files.AddRange(ReproduceFigures.Write(dir, spatial.Options, networks[0].ActiveDecoded, (NoisyRnn.Analysis.GaussianKde)networks[0].ActiveDensity, networks[0].Name,
                p.BatchSize, p.SequenceLength, reports, p.KlSteps,
                networks.Select(n => (n.Name, n.Evaluations)).ToList()));
            files.Add(KlMatrixFigure.Write(Path.Combine(dir, "kl_matrix.png"), matrix));
            var hidden = result.Runs
                .Select(r => (Run: r, Net: networks.First(n => n.Name == r.Network)))
                .Where(x => x.Net.Pca is not null)
                .Select(x => new HiddenRun(x.Run.Name, x.Net.Name, x.Net.ActiveHidden, x.Run.HiddenSample, x.Net.Pca!)).ToList();
            files.AddRange(TheoryFigures.Write(dir, networks.Select(n => (n.Name, n.Pca, n.Decomposition)).ToList(), hidden));
        }
        else if (result.Task is HeadDirectionTask hd)
        {
            var active = networks.Select(n => new HeadDirectionFigures.ActiveHeadings(n.Name, n.ActiveDecoded, n.TestBatch.Coordinates,
                p.BatchSize, p.SequenceLength)).ToList();
            files.AddRange(HeadDirectionFigures.Write(dir, hd.Options.Dt, active, result.Runs.Select(r => (r.Name, r.Network, r.Report)).ToList()));
            files.Add(KlMatrixFigure.Write(Path.Combine(dir, "kl_matrix.png"), matrix));
        }
        return files.Select(f => Path.GetRelativePath(dir, f)).ToList();
    }
}
