using System.Text;

namespace NoisyRnn;

/// <summary>
/// The one way the library writes a file: into a temporary file beside the target, flushed to disk, then renamed over
/// the target, so a crash never leaves a torn file and readers see the old or the new file (checkpoints, safetensors,
/// .npy/.npz, config.json, summary.json).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Creates the target's folder if needed, runs <paramref name="write"/> on a temporary file and renames it
    /// over <paramref name="path"/>; the temporary file is deleted when <paramref name="write"/> throws.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary><paramref name="contents"/> as UTF-8 without a byte-order mark (the bytes of File.WriteAllText), written
    /// atomically.</summary>
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream => stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents)));
}
