using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Experiments;
using NoisyRnn.Tests.Training;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>
/// The run folder is the record: plans of jobs, resume that loses nothing (a real CLI process killed with SIGKILL and
/// rerun gives the bits of an uninterrupted run), and reruns that never silently overwrite or mix settings.
/// </summary>
public class RunFolderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-folder-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void ThePaperPlanOverFiveSeedsListsThirtyJobsAndJobIndexRunsOneAlone()
    {
        string root = Path.Combine(_dir, "plan");
        var (exit, output, _) = Run("reproduce", "--preset", "paper-all", "--seeds", "0-4", "--out", root, "--plan");
        Assert.Equal(0, exit);
        var jobs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(30, jobs.Count);
        Assert.Equal(Enumerable.Range(0, 30), jobs.Select(j => j.GetProperty("id").GetInt32()));
        // Seed-major: the six presets of seed 0 first.
        Assert.Equal(ExperimentPresets.PaperAll, jobs.Take(6).Select(j => j.GetProperty("preset").GetString()));
        Assert.All(jobs.Take(6), j => Assert.Equal(0UL, j.GetProperty("seed").GetUInt64()));
        Assert.Equal(Path.Combine(root, "paper-hd-biased", "seed-4"), jobs[29].GetProperty("folder").GetString());
        Assert.False(Directory.Exists(root), "--plan runs nothing");

        // A smoke plan over three seeds: job 1 alone runs seed 1 into its own folder and nothing else.
        string smoke = Path.Combine(_dir, "smoke");
        (exit, _, var error) = Run("reproduce", "--preset", "smoke", "--seeds", "0,1,5", "--out", smoke, "--job-index", "1", "--no-plots");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.True(File.Exists(Path.Combine(smoke, "smoke", "seed-1", "summary.json")));
        Assert.Equal(1UL, ExperimentSummary.Load(Path.Combine(smoke, "smoke", "seed-1", "summary.json")).Seed);
        Assert.False(Directory.Exists(Path.Combine(smoke, "smoke", "seed-0")));
        Assert.False(Directory.Exists(Path.Combine(smoke, "smoke", "seed-5")));

        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seeds", "0,1,5", "--out", smoke, "--job-index", "3");
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("--job-index is 3; expected 0 to 2", error);
        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seeds", "0-4");
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("--out is required", error);
        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--seeds", "4-2", "--out", smoke);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("runs backwards", error);
    }

    [Fact]
    public void SeedListsParseRangesAndRejectNonsense()
    {
        Assert.Equal([0UL, 1, 2, 3, 4], ExperimentPlan.ParseSeeds("0-4"));
        Assert.Equal([0UL, 2, 7, 10, 11], ExperimentPlan.ParseSeeds("0,2,7,10-11"));
        Assert.Throws<ArgumentException>(() => ExperimentPlan.ParseSeeds("1,1"));
        Assert.Throws<ArgumentException>(() => ExperimentPlan.ParseSeeds("a-b"));
        Assert.Throws<ArgumentException>(() => ExperimentPlan.ParseSeeds("0-99999"));
        Assert.Throws<ArgumentException>(() => ExperimentPlan.ParseSeeds(""));
    }

    [Fact]
    public void RerunsNeverOverwriteAFinishedForeignOrOtherConfigFolderSilently()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--no-plots", "--out", run).Exit);
        string weights = Path.Combine(run, "noise-trained", "model.nrnn");
        byte[] before = File.ReadAllBytes(weights);
        string summaryBefore = File.ReadAllText(Path.Combine(run, "summary.json"));

        // The same command again: finished, skipped, nothing rewritten.
        var (exit, output, _) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", run);
        Assert.Equal(0, exit);
        Assert.Contains("finished", output);
        Assert.Equal(summaryBefore, File.ReadAllText(Path.Combine(run, "summary.json")));

        // Another seed or another length in the same folder (the issue's --seed 5 --resume and --steps cases): an error
        // naming the field and both values; the folder is untouched.
        (exit, _, var error) = Run("reproduce", "--preset", "smoke", "--seed", "5", "--resume", "--no-plots", "--out", run);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("config.seed is 0 there, 5 here", error);
        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--steps", "6", "--no-plots", "--out", run);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("config.steps is 4 there, 6 here", error);
        Assert.Equal(before, File.ReadAllBytes(weights));
        Assert.Equal(summaryBefore, File.ReadAllText(Path.Combine(run, "summary.json")));

        // A folder that holds other files is refused; --force starts over and leaves the user's file alone.
        string foreign = Path.Combine(_dir, "foreign");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(foreign, "my_figure.png"), "mine too");
        (exit, _, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", foreign);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("holds no run", error);
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--no-plots", "--out", foreign, "--force").Exit);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "notes.txt")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(foreign, "my_figure.png")));

        // --force on the finished run with another seed: a new run of seed 5.
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--seed", "5", "--no-plots", "--out", run, "--force").Exit);
        Assert.Equal(5UL, ExperimentSummary.Load(Path.Combine(run, "summary.json")).Seed);
    }

    [Fact]
    public void JobsSideBySideInChildProcessesGiveTheBitsOfOneJobAtATime()
    {
        string[] common = ["reproduce", "--preset", "smoke", "--seeds", "3-4", "--no-plots"];
        string apart = Path.Combine(_dir, "side-by-side"), serial = Path.Combine(_dir, "one-at-a-time");
        var (exit, output, error) = Run([.. common, "--out", apart, "--parallel", "2"]);
        Assert.True(exit == 0, error);
        Assert.Contains("2 side by side", output);
        // Each child's lines come back with its job's prefix, and each child ran on its own share (one processor).
        Assert.Contains("[job 0] NoisyRnn experiment: preset 'smoke', seed 3", output);
        Assert.Contains("[job 1] NoisyRnn experiment: preset 'smoke', seed 4", output);
        Assert.Contains(", 1 cores,", output);
        Assert.True(File.Exists(Path.Combine(apart, "report.md")));
        Assert.Equal(0, Run([.. common, "--out", serial, "--parallel", "1"]).Exit);
        foreach (string seed in new[] { "seed-3", "seed-4" })
            foreach (string network in Experiment.NetworkNames)
                Assert.Equal(File.ReadAllBytes(Path.Combine(serial, "smoke", seed, network, "model.safetensors")),
                    File.ReadAllBytes(Path.Combine(apart, "smoke", seed, network, "model.safetensors")));
        Assert.Equal(JsonSerializer.Serialize(ExperimentSummary.Load(Path.Combine(serial, "smoke", "seed-4", "summary.json")).Runs),
            JsonSerializer.Serialize(ExperimentSummary.Load(Path.Combine(apart, "smoke", "seed-4", "summary.json")).Runs));

        // Rerun: both jobs are finished, nothing is started again; a bad --parallel names the option.
        (exit, output, _) = Run([.. common, "--out", apart]);
        Assert.Equal(0, exit);
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains("skipping", StringComparison.Ordinal)));
        Assert.DoesNotContain("side by side", output);
        (exit, _, error) = Run([.. common, "--out", apart, "--parallel", "0"]);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Contains("--parallel", error);
    }

    [Fact]
    public void AKilledRunResumedByTheSameCommandEndsWithTheBitsOfAnUninterruptedRun()
    {
        // Long enough to be killed mid-training: 1500 steps of the smoke sizes, a checkpoint every 50.
        string[] common = ["reproduce", "--preset", "smoke", "--steps", "1500", "--checkpoint-every", "50", "--seed", "2", "--no-plots"];
        string whole = Path.Combine(_dir, "whole");
        Assert.Equal(0, Run([.. common, "--out", whole]).Exit);

        string killed = Path.Combine(_dir, "killed");
        string checkpoint = Path.Combine(killed, "noise-trained", "model.nrnn");
        string cli = Path.Combine(AppContext.BaseDirectory, "NoisyRnn.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (string arg in common) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(killed);
        using (var process = Process.Start(start)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // Kill (SIGKILL) as soon as the first checkpoint exists: mid-training of the first network.
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            Assert.False(process.HasExited, "the child finished before it could be killed; raise --steps");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "summary.json")));
        int savedStep = NoisyRnn.Training.Checkpoint.Load(checkpoint).Step;
        Assert.InRange(savedStep, 50, 1450);
        var (savedSeconds, timedFrom) = CheckpointFiles.TrainingTime(checkpoint);
        Assert.Equal(0, timedFrom);
        Assert.True(savedSeconds > 0, $"the checkpoint at step {savedStep} records {savedSeconds} s of training");
        // As if the killed process had trained for an hour more: the resumed run must count it, not restart from 0.
        savedSeconds += 3600;
        CheckpointFiles.EditMetadata(checkpoint, m => m[NoisyRnn.Training.TrainerState.SecondsKey] = savedSeconds.ToString("R", CultureInfo.InvariantCulture));

        // The same command again continues from the checkpoint and says so.
        var (exit, output, error) = Run([.. common, "--out", killed]);
        Assert.True(exit == 0, error);
        Assert.Contains("Resuming the noise-trained network from its checkpoint at step", output);

        // model.safetensors holds the weights alone: the same bytes. model.nrnn also records the training time, which differs
        // between any two runs; everything else in it is the same.
        foreach (string network in Experiment.NetworkNames)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, network, "model.safetensors")), File.ReadAllBytes(Path.Combine(killed, network, "model.safetensors")));
            CheckpointFiles.AssertSameButTheTime(Path.Combine(whole, network, "model.nrnn"), Path.Combine(killed, network, "model.nrnn"));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "noise-trained", "scaled", "activity.npz")),
            File.ReadAllBytes(Path.Combine(killed, "noise-trained", "scaled", "activity.npz")));
        // The Python-readable weights are the checkpoint's, and carry the network's context.
        var exported = NoisyRnn.Interop.SafeTensorsModel.Load(Path.Combine(killed, "noise-trained", "model.safetensors"));
        Assert.Equal(NoisyRnn.Training.Checkpoint.Load(checkpoint).Network.Parameters.Values, exported.Network.Parameters.Values);
        Assert.Contains(NetworkContext.MetadataKey, exported.Metadata.Keys);
        var a = ExperimentSummary.Load(Path.Combine(whole, "summary.json"));
        var b = ExperimentSummary.Load(Path.Combine(killed, "summary.json"));
        // The learning curve keeps the evaluations before the kill, and every measure is the same.
        for (int n = 0; n < a.Networks.Count; n++)
        {
            Assert.Equal(a.Networks[n].Evaluations, b.Networks[n].Evaluations);
            Assert.Equal(a.Networks[n].FinalTrainLoss, b.Networks[n].FinalTrainLoss);
        }
        Assert.Equal(JsonSerializer.Serialize(a.Runs), JsonSerializer.Serialize(b.Runs));
        Assert.Equal(JsonSerializer.Serialize(a.KlMatrix), JsonSerializer.Serialize(b.KlMatrix));

        // The times continue across the kill: the noise-trained network's training time counts the killed process's part
        // up to its checkpoint (the hour included), and the job's total adds it to the resuming process's wall time.
        Assert.True(b.Networks[0].TrainSeconds >= savedSeconds, $"train_seconds {b.Networks[0].TrainSeconds} < {savedSeconds} s at the checkpoint");
        Assert.Equal((0, 0), (b.Networks[0].TrainSecondsFromStep, b.Networks[1].TrainSecondsFromStep));
        Assert.Equal(b.WallSeconds + savedSeconds, b.TotalWallSeconds!.Value, TimeTolerance);
        Assert.Equal(a.WallSeconds, a.TotalWallSeconds!.Value, TimeTolerance);
        Assert.Equal(b.Networks[0].TrainSeconds, CheckpointFiles.TrainingTime(checkpoint).Seconds);
    }

    /// <summary>A run folder as a finished job leaves it for the report: its config.json and the given summary.json text.</summary>
    private static void WriteFinishedRun(string folder, ExperimentConfig settings, string summaryJson)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Experiment.ConfigFileName), settings.ToJson());
        File.WriteAllText(Path.Combine(folder, Experiment.SummaryFileName), summaryJson);
    }

    /// <summary>Sums of seconds recorded as round-trip doubles: equal up to rounding.</summary>
    private const double TimeTolerance = 1e-9;

    [Fact]
    public void AReanalysedRunReportsTheTrainingTimeStoredWithItsNetworksAndTheReportSaysWhichTimeItShows()
    {
        string run = Path.Combine(_dir, "timed");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--no-plots", "--out", run).Exit);
        var first = ExperimentSummary.Load(Path.Combine(run, "summary.json"));
        string trained = Path.Combine(run, "noise-trained", "model.nrnn"), free = Path.Combine(run, "noise-free", "model.nrnn");
        // One process: the total is its wall time, and each network's time is the one its checkpoint records.
        Assert.Equal(first.WallSeconds, first.TotalWallSeconds!.Value, TimeTolerance);
        Assert.Equal(CheckpointFiles.TrainingTime(trained), (first.Networks[0].TrainSeconds, 0));
        Assert.Equal(CheckpointFiles.TrainingTime(free), (first.Networks[1].TrainSeconds, 0));

        // As if the noise-trained network had trained for an hour in an earlier process: re-analysing the finished run loads
        // it and reports the hour, not the near-zero time of loading it.
        const double Hour = 3600;
        CheckpointFiles.EditMetadata(trained, m => m[NoisyRnn.Training.TrainerState.SecondsKey] = "3600");
        var (exit, output, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", run, "--reanalyze");
        Assert.True(exit == 0, error);
        Assert.Contains("3600.0 s of training (0.0 s in this process)", output);
        var again = ExperimentSummary.Load(Path.Combine(run, "summary.json"));
        Assert.Equal(Hour, again.Networks[0].TrainSeconds);
        Assert.Equal(first.Networks[1].TrainSeconds, again.Networks[1].TrainSeconds);
        Assert.Equal(again.WallSeconds + Hour + first.Networks[1].TrainSeconds, again.TotalWallSeconds!.Value, TimeTolerance);
        Assert.Equal(first.Runs.Select(r => r.KlQuiescentToActive), again.Runs.Select(r => r.KlQuiescentToActive));

        // The report shows the cumulative time per seed and says so; a summary written before cumulative times falls back
        // to its wall_seconds and is named; a seed resumed from an untimed checkpoint is named as a lower bound.
        string root = Path.Combine(_dir, "timed-report");
        void Write(ulong seed, string json) => WriteFinishedRun(Path.Combine(root, "smoke", $"seed-{seed}"), again.Settings, json);
        Write(0, again.ToJson());
        var old = System.Text.Json.Nodes.JsonNode.Parse((again with { Seed = 1 }).ToJson())!.AsObject();
        old.Remove("total_wall_seconds");
        foreach (var n in old["networks"]!.AsArray()) n!.AsObject().Remove("train_seconds_from_step");
        Write(1, old.ToJsonString());
        Write(2, (again with { Seed = 2, Networks = [again.Networks[0] with { TrainSecondsFromStep = 2 }, again.Networks[1]] }).ToJson());
        Assert.Null(ExperimentSummary.Load(Path.Combine(root, "smoke", "seed-1", "summary.json")).TotalWallSeconds);

        var report = ExperimentReport.Collect(root);
        var preset = Assert.Single(report.Presets);
        Assert.Equal(new double?[] { again.TotalWallSeconds, again.WallSeconds, again.TotalWallSeconds }, preset.TotalWallSeconds.Values);
        Assert.Equal(new double?[] { again.WallSeconds, again.WallSeconds, again.WallSeconds }, preset.WallSeconds.Values);
        Assert.Equal([1UL], preset.FinishingProcessOnlySeeds);
        Assert.Equal([2UL], preset.PartlyTimedSeeds);
        string markdown = report.ToMarkdown();
        Assert.Contains($"wall time per seed {preset.TotalWallSeconds.Format("F0")} s (cumulative over the processes that ran each seed; " +
                        "seed(s) 1: the finishing process only (summaries written before cumulative times); " +
                        "seed(s) 2: a lower bound (resumed from checkpoints without a time record)).", markdown);
        using var doc = JsonDocument.Parse(report.ToJson());
        Assert.Equal(3, doc.RootElement.GetProperty("presets")[0].GetProperty("total_wall_seconds").GetProperty("count").GetInt32());
    }

    [Fact]
    public void TheReportAggregatesFinishedSeedsAndChecksEachPrediction()
    {
        string root = Path.Combine(_dir, "report");
        var (exit, output, error) = Run("reproduce", "--preset", "smoke", "--seeds", "0-1", "--out", root);
        Assert.True(exit == 0, error);
        // The plan ends with the report: the smoke preset cannot learn, so the predictions are not tested, and it says so.
        Assert.Contains("[not tested]", output);
        string markdown = File.ReadAllText(Path.Combine(root, "report.md"));
        Assert.Contains("## smoke", markdown);
        Assert.Contains("did not learn the task", markdown);
        Assert.True(File.Exists(Path.Combine(root, "report", "smoke_kl.png")));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "summary.json"))))
        {
            var preset = doc.RootElement.GetProperty("presets")[0];
            Assert.Equal(2, preset.GetProperty("seeds").GetArrayLength());
            var kl = preset.GetProperty("runs").GetProperty("noise-trained/scaled").GetProperty("kl_quiescent_to_active");
            Assert.Equal(2, kl.GetProperty("count").GetInt32());
        }

        // Every run carries the theory's and the replay measures, with the lengths they were taken at.
        var first = ExperimentSummary.Load(Path.Combine(root, "smoke", "seed-0", "summary.json"));
        Assert.Equal("gaussian_kde", first.DensityEstimator);
        Assert.Equal(first.Settings.KlSteps, first.KlSteps);
        Assert.All(first.Networks, n => Assert.InRange(n.DenoisingGain!.Leak, 0.19, 0.21));   // dt/tau = 0.2
        Assert.All(first.Runs, r =>
        {
            Assert.NotNull(r.DensityExponent);
            Assert.False(r.Runaway!.RanAway);
            Assert.NotNull(r.Replay);
            Assert.NotEmpty(r.KlVsTime!);
            Assert.NotNull(r.KlToBiasedActive);
            Assert.Equal(r.KlQuiescentToActive, r.KlToUnbiasedActive);    // an unbiased run: its own KL is the unbiased one
            Assert.NotNull(r.RadialProfile);
        });

        // The same summaries, as if the networks had learned: each check follows its stated criterion seed by seed.
        var seeds = new[] { 0, 1 }.Select(s => ExperimentSummary.Load(Path.Combine(root, "smoke", $"seed-{s}", "summary.json"))).ToList();
        ExperimentSummary Learned(ExperimentSummary s, double klTrained, double klFree) => s with
        {
            Networks = s.Networks.Select(n => n with { DecodingError = 0.01 }).ToList(),
            Runs = s.Runs.Select(r => r.Name == "noise-trained/scaled" ? r with { KlQuiescentToActive = klTrained }
                : r.QuiescenceMode.StartsWith("absolute", StringComparison.Ordinal) ? r with { KlQuiescentToActive = klFree } : r).ToList(),
        };
        var claims = ExperimentClaims.Evaluate([Learned(seeds[0], 0.1, 0.2), Learned(seeds[1], 0.3, 0.2)]);
        var contrast = claims.Single(c => c.Id == "decoded-kl-contrast");
        Assert.Equal(ClaimOutcome.Mixed, contrast.Outcome);
        Assert.Equal((1, 2), (contrast.Holding, contrast.Tested));
        Assert.Equal(0.5, contrast.Value.Values[0]!.Value, 12);
        Assert.Equal(1.5, contrast.Value.Values[1]!.Value, 12);
        Assert.Equal(ClaimOutcome.Holds, ExperimentClaims.Evaluate([Learned(seeds[0], 0.1, 0.2)]).Single(c => c.Id == "decoded-kl-contrast").Outcome);
        Assert.Equal(ClaimOutcome.DoesNotHold, ExperimentClaims.Evaluate([Learned(seeds[1], 0.3, 0.2)]).Single(c => c.Id == "decoded-kl-contrast").Outcome);
        Assert.Throws<ArgumentException>(() => ExperimentClaims.Evaluate([seeds[0], seeds[0] with { Preset = "other" }]));

        // A noise-free network whose chains ran away under the same noise has no KL; the contrast counts as holding.
        var ranAway = Learned(seeds[1], 0.3, 0.2);
        ranAway = ranAway with
        {
            Runs = ranAway.Runs.Select(r => r.QuiescenceMode.StartsWith("absolute", StringComparison.Ordinal)
                ? r with { KlQuiescentToActive = null, Runaway = r.Runaway! with { RanAway = true, Step = 10 } } : r).ToList(),
        };
        var withRunaway = ExperimentClaims.Evaluate([ranAway]).Single(c => c.Id == "decoded-kl-contrast");
        Assert.Equal((ClaimOutcome.Holds, 0.0), (withRunaway.Outcome, withRunaway.Value.Mean!.Value));

        // The heat map across training biases pairs a configuration with its biased twin over the seeds both finished, and
        // ignores a biased configuration that differs in anything else.
        string cross = Path.Combine(_dir, "cross");
        void Write(string preset, ulong seed, ExperimentSummary s) => WriteFinishedRun(Path.Combine(cross, preset, $"seed-{seed}"), s.Settings, s.ToJson());
        ExperimentSummary Biased(ExperimentSummary s, string name, int hidden, double offset) => s with
        {
            Preset = name,
            Settings = s.Settings with { Name = name, Biased = true, HiddenSize = hidden },
            Runs = s.Runs.Select(r => r with { KlToBiasedActive = offset + 0.1, KlToUnbiasedActive = offset + 0.2 }).ToList(),
        };
        Write("smoke", 0, seeds[0]);
        Write("smoke", 1, seeds[1]);
        Write("smoke-biased", 1, Biased(seeds[1], "smoke-biased", seeds[1].Settings.HiddenSize, 0));
        Write("smoke-biased", 2, Biased(seeds[1] with { Seed = 2 }, "smoke-biased", seeds[1].Settings.HiddenSize, 5));
        Write("smoke-wide-biased", 0, Biased(seeds[0], "smoke-wide-biased", seeds[0].Settings.HiddenSize + 1, 9));
        var report = ExperimentReport.Collect(cross);
        var pair = Assert.Single(report.CrossBias);
        Assert.Equal(("smoke", "smoke-biased"), (pair.UnbiasedPreset, pair.BiasedPreset));
        Assert.Equal([1UL], pair.Seeds);
        var m = pair.Matrix.Means();
        Assert.Equal(CrossBiasReport.CrossBiasRows, m.Rows);
        var trained = seeds[1].Runs.Single(r => r.Name == "noise-trained/scaled");
        Assert.Equal(new double?[] { trained.KlToUnbiasedActive, trained.KlToBiasedActive }, m.Values[0]);
        Assert.Equal(new double?[] { 0.2, 0.1 }, m.Values[2].Select(v => v is { } x ? Math.Round(x, 12) : v));
        Assert.Equal(seeds[1].KlRandomNetworkToActive!["noise-trained"], m.Values[4][0]);
        Assert.Null(m.Values[4][1]);
        Assert.Equal(seeds[1].Networks[0].KlUniformToActive, m.Values[6][0]);
        (exit, _, error) = Run("report", cross);
        Assert.True(exit == 0, error);
        Assert.Contains("## Biased and unbiased training: smoke and smoke-biased", File.ReadAllText(Path.Combine(cross, "report.md")));
        FigureAssert.PngAndSvg(Path.Combine(cross, "report", "smoke_x_smoke-biased_kl_matrix.png"));
    }
}
