namespace NoisyRnn.Cli.Commands;

/// <summary>
/// Checks an output folder before any work starts, so that a folder that cannot be created or written is reported
/// as a one-line error naming <c>--out</c> up front, not as a .NET path message after minutes of training or analysis.
/// </summary>
internal static class OutputFolder
{
    /// <summary>Rejects an empty path or one naming an existing file, without touching the file system otherwise.</summary>
    /// <exception cref="ArgumentException">Empty or an existing file (ParamName "--out").</exception>
    public static void Check(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new ArgumentException("--out is empty; expected a folder path.", "--out");
        if (File.Exists(dir)) throw new ArgumentException($"--out '{dir}' is an existing file; expected a folder (new or existing).", "--out");
    }

    /// <summary><see cref="Check"/>, and refuses a folder that already holds anything: for commands whose output has no
    /// resume or rerun logic and would otherwise overwrite an earlier result silently (`reactivate`, its sweep).</summary>
    /// <exception cref="ArgumentException">Empty, an existing file, or a folder that is not empty (ParamName "--out").</exception>
    public static void CheckNewOrEmpty(string dir, string command)
    {
        Check(dir);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new ArgumentException($"--out '{dir}' already holds files; {command} writes into a new or empty folder (choose another --out).", "--out");
    }

    /// <summary><see cref="Check"/>, then creates <paramref name="dir"/> if needed and proves it writable with a probe file
    /// that is removed again.</summary>
    /// <exception cref="ArgumentException">Empty, an existing file, or not creatable or writable (ParamName "--out").</exception>
    public static void Prepare(string dir)
    {
        Check(dir);
        string probe = Path.Combine(dir, $".noisyrnn-write-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ArgumentException($"--out '{dir}' cannot be created or written ({e.Message}); expected a writable folder.", "--out", e);
        }
    }
}
