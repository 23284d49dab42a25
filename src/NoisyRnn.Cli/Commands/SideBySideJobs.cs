using System.Diagnostics;
using System.Reflection;
using NoisyRnn.Experiments;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// Runs the jobs of a `reproduce` plan side by side: each job in a child process of this program that runs it as a single
/// run (its config in a temporary file, `--out` its job folder), with an equal share of this process's processors
/// (DOTNET_PROCESSOR_COUNT, and pinned to those processors where the OS allows). The next job starts when one ends. The
/// children's lines are passed on with a "[job I]" prefix. The results are those of one job at a time: the kernels give
/// the same bits for any thread count, and every job is self-contained in its folder (docs/scaling.md).
/// </summary>
internal static class SideBySideJobs
{
    /// <summary>The per-job options passed on to every child: the value of --checkpoint-every and the switches given.</summary>
    internal sealed record ChildOptions(int CheckpointEvery, bool Force, bool Reanalyze, bool NoPlots);

    /// <summary>How many jobs run side by side by default: one per processor, at most one per pending job (1 on a
    /// one-processor machine, and 1 when the CLI runs inside another program, such as a test host, that cannot be started
    /// again as the CLI). Measured faster than one job at a time on all cores (docs/scaling.md).</summary>
    public static int DefaultWorkers(int pendingJobs) =>
        Assembly.GetEntryAssembly() == typeof(SideBySideJobs).Assembly ? Math.Max(1, Math.Min(Environment.ProcessorCount, pendingJobs)) : 1;

    /// <summary>Runs <paramref name="jobs"/> in <paramref name="workers"/> child processes at a time; returns each job's
    /// outcome ("done" or "failed (exit N)") in plan order.</summary>
    public static List<(ExperimentJob Job, string Outcome)> Run(IReadOnlyList<ExperimentJob> jobs, int workers, ChildOptions options,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        int processors = Environment.ProcessorCount;
        workers = Math.Clamp(workers, 1, Math.Max(1, jobs.Count));
        int share = Math.Max(1, processors / workers);
        int[] cores = AllowedCores();
        output.WriteLine($"Running {jobs.Count} jobs, {workers} side by side ({share} processor{(share == 1 ? "" : "s")} each; --parallel 1 runs one at a time on all processors).");

        var outcomes = new string[jobs.Count];
        var gate = new object();
        int next = 0;
        var running = new List<Process>();
        void Worker(int slot)
        {
            while (true)
            {
                int i;
                lock (gate)
                {
                    if (next >= jobs.Count || cancellationToken.IsCancellationRequested) return;
                    i = next++;
                }
                outcomes[i] = RunChild(jobs[i], slot, share, cores, options, output, error, running, gate, cancellationToken);
            }
        }
        var threads = Enumerable.Range(0, workers).Select(slot => new Thread(() => Worker(slot)) { IsBackground = true, Name = $"job slot {slot}" }).ToList();
        foreach (var t in threads) t.Start();
        using (cancellationToken.Register(() => StopChildren(running, gate)))
            foreach (var t in threads) t.Join();
        cancellationToken.ThrowIfCancellationRequested();
        return jobs.Select((job, i) => (job, outcomes[i] ?? "not started")).ToList();
    }

    private static string RunChild(ExperimentJob job, int slot, int share, int[] cores, ChildOptions options, TextWriter output, TextWriter error,
        List<Process> running, object gate, CancellationToken cancellationToken)
    {
        string label = $"[job {job.Id}]";
        string config = Path.Combine(Path.GetTempPath(), $"noisyrnn-job-{Environment.ProcessId}-{job.Id}.json");
        AtomicFile.WriteAllText(config, job.Config.ToJson());
        try
        {
            var start = ChildStart();
            foreach (string arg in new[] { "reproduce", "--config", config, "--out", job.Folder, "--checkpoint-every", options.CheckpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(arg);
            if (options.Force) start.ArgumentList.Add("--force");
            if (options.Reanalyze) start.ArgumentList.Add("--reanalyze");
            if (options.NoPlots) start.ArgumentList.Add("--no-plots");
            start.Environment["DOTNET_PROCESSOR_COUNT"] = share.ToString(System.Globalization.CultureInfo.InvariantCulture);
            lock (gate) output.WriteLine($"== job {job.Id} ({job.Preset}, seed {job.Seed}) -> {job.Folder}");
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (gate) output.WriteLine($"{label} {line}"); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (gate) error.WriteLine($"{label} {line}"); };
            lock (gate)
            {
                process.Start();
                running.Add(process);
            }
            Pin(process, cores, slot, share);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            lock (gate) running.Remove(process);
            string outcome = process.ExitCode == 0 ? "done" : cancellationToken.IsCancellationRequested ? "interrupted" : $"failed (exit {process.ExitCode})";
            lock (gate) output.WriteLine($"== job {job.Id} ({job.Preset}, seed {job.Seed}): {outcome}");
            return outcome;
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>This program again: the apphost that runs this process, or `dotnet NoisyRnn.Cli.dll` when the process
    /// is the dotnet host or another program (a test host) that runs the CLI in-process.</summary>
    private static ProcessStartInfo ChildStart()
    {
        string dll = typeof(SideBySideJobs).Assembly.Location;
        bool ownApphost = Assembly.GetEntryAssembly() == typeof(SideBySideJobs).Assembly && Environment.ProcessPath is { } path
                          && !string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(ownApphost ? Environment.ProcessPath! : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (!ownApphost) start.ArgumentList.Add(dll);
        return start;
    }

    /// <summary>The processors this process may run on, in order (all of them where the OS does not say).</summary>
    private static int[] AllowedCores()
    {
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            {
                long mask = (long)Process.GetCurrentProcess().ProcessorAffinity;
                var cores = Enumerable.Range(0, 64).Where(c => (mask >> c & 1) != 0).ToArray();
                if (cores.Length > 0) return cores;
            }
        }
        catch (Exception e) when (e is PlatformNotSupportedException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
        }
        return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
    }

    /// <summary>Pins a child to its slot's share of the processors where the OS allows (Linux, Windows); best effort.</summary>
    private static void Pin(Process process, int[] cores, int slot, int share)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) || cores.Length < (slot + 1) * share) return;
        long mask = 0;
        for (int c = slot * share; c < (slot + 1) * share; c++)
            if (cores[c] < 64) mask |= 1L << cores[c];
        try
        {
            process.ProcessorAffinity = (nint)mask;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
        }
    }

    /// <summary>On Ctrl-C or SIGTERM: every running child is killed at once. An interrupted run saves nothing more than
    /// its last checkpoint either way (checkpoint files are replaced atomically), and rerunning the command continues
    /// from it.</summary>
    private static void StopChildren(List<Process> running, object gate)
    {
        Process[] children;
        lock (gate) children = running.ToArray();
        foreach (var child in children)
        {
            try
            {
                child.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    }
}
