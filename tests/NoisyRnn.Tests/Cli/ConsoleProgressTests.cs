using NoisyRnn.Cli.Commands;
using NoisyRnn.Experiments;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Cli;

public class ConsoleProgressTests
{
    [Fact]
    public void AResumedNetworksLineContinuesFromItsCheckpointsTimeWithAnEtaAtThisProcesssPace()
    {
        var log = new StringWriter();
        var progress = new ConsoleProgress(log, checkpointEvery: 100);
        // Resumed at step 2000 with 1200 s recorded; 100 steps in 40 s here: 400 steps left at 0.4 s each.
        var step = new TrainingProgress(2100, 2500, 1e-3, 40, new TaskEvaluation(2100, 1e-3, 0.1, 0.01)) { StartStep = 2000, StartSeconds = 1200 };
        progress.Report(new ExperimentProgress(ExperimentStage.Training, "", "noise-free", step));
        Assert.Contains("[noise-free] step  2100/2500", log.ToString());
        Assert.Contains("(1240 s, ETA 160 s)", log.ToString());
    }
}
