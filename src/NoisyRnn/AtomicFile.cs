namespace NoisyRnn;

/// <summary>Writes a file through a temporary sibling and a rename, so readers never see a half-written file.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string contents)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }
}
