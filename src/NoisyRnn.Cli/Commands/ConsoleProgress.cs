using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>Plain-text training progress: a line every few seconds and one per evaluation (works with redirected output).</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    private readonly TextWriter _log;
    private readonly string _name;
    private double _lastPrint = double.NegativeInfinity;

    public ConsoleProgress(TextWriter log, string name)
    {
        _log = log;
        _name = name;
    }

    public void Report(TrainingProgress value)
    {
        if (value.Evaluation is null && value.TaskEvaluation is { } te)
        {
            _log.WriteLine($"  [{_name}] step {value.Step,5}/{value.TotalSteps}  train loss {value.Loss:E3}  test loss {te.Loss:E3}  " +
                           $"decoding error {te.DecodingError:F3}  ({value.ElapsedSeconds:F0} s, ETA {Eta(value):F0} s)");
            _lastPrint = value.ElapsedSeconds;
        }
        else if (value.Evaluation is { } e)
        {
            _log.WriteLine($"  [{_name}] step {value.Step,5}/{value.TotalSteps}  train loss {value.Loss:E3}  test loss {e.Loss:E3}  " +
                           $"position error {e.PositionErrorMetres:F3} m  ({value.ElapsedSeconds:F0} s, ETA {Eta(value):F0} s)");
            _lastPrint = value.ElapsedSeconds;
        }
        else if (value.ElapsedSeconds - _lastPrint >= 10)
        {
            _log.WriteLine($"  [{_name}] step {value.Step,5}/{value.TotalSteps}  train loss {value.Loss:E3}  ({value.ElapsedSeconds:F0} s, ETA {Eta(value):F0} s)");
            _lastPrint = value.ElapsedSeconds;
        }
    }

    private static double Eta(TrainingProgress p) => p.ElapsedSeconds / Math.Max(1, p.Step) * (p.TotalSteps - p.Step);
}
