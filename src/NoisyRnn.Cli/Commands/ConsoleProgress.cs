using NoisyRnn.Experiments;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// Plain-text progress of an experiment (works with redirected output): every stage line, a training line every 10 s and
/// one per evaluation, with the network's cumulative training time (continuing from its checkpoint's on resume) and an ETA
/// at this process's own pace (a resumed run's earlier steps took no time here).
/// Remembers where training stands so that an interrupted run can say where it stopped.
/// </summary>
internal sealed class ConsoleProgress : IProgress<ExperimentProgress>
{
    private readonly TextWriter _log;
    private readonly int _checkpointEvery;
    private double _lastPrint = double.NegativeInfinity;
    private string? _network;
    private TrainingProgress? _last;

    public ConsoleProgress(TextWriter log, int checkpointEvery)
    {
        _log = log;
        _checkpointEvery = checkpointEvery;
    }

    public void Report(ExperimentProgress value)
    {
        if (value.Training is not { } step)
        {
            if (value.Message.Length > 0) _log.WriteLine(value.Message);
            return;
        }
        if (value.Network != _network) _lastPrint = double.NegativeInfinity;
        _network = value.Network;
        _last = step;
        string head = $"  [{value.Network}] step {step.Step,5}/{step.TotalSteps}  train loss {step.Loss:E3}";
        string tail = $"({step.TrainingSeconds:F0} s, ETA {Eta(step):F0} s)";
        if (step.Evaluation is { } e)
        {
            _log.WriteLine($"{head}  test loss {e.Loss:E3}  decoding error {e.DecodingError:F3}  {tail}");
            _lastPrint = step.ElapsedSeconds;
        }
        else if (step.ElapsedSeconds - _lastPrint >= 10)
        {
            _log.WriteLine($"{head}  {tail}");
            _lastPrint = step.ElapsedSeconds;
        }
    }

    /// <summary>Where training stood at the last report, for the interruption message; null before training started.</summary>
    public string? Where()
    {
        if (_last is not { } s) return null;
        int checkpoint = s.Step == s.TotalSteps ? s.Step : s.Step / _checkpointEvery * _checkpointEvery;
        return $"the {_network} network stopped after step {s.Step} of {s.TotalSteps}; its last checkpoint is at step {Math.Max(checkpoint, s.StartStep)}";
    }

    /// <summary>Seconds left at this process's pace: its own steps (Step - StartStep) over its elapsed time.</summary>
    internal static double Eta(TrainingProgress p) => p.ElapsedSeconds / Math.Max(1, p.Step - p.StartStep) * (p.TotalSteps - p.Step);
}
