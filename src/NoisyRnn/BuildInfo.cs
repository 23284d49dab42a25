using System.Reflection;

namespace NoisyRnn;

/// <summary>
/// Which build of the library is running: its package version and the git commit it was built from, for run records
/// such as a reproduce run's summary.json. The SDK stamps both into the assembly's informational version at build time
/// (<c>Version</c> from Directory.Build.props, then <c>+</c> and the commit that Source Link reads from the checkout's git
/// metadata); a build outside a git checkout has no commit.
/// </summary>
public static class BuildInfo
{
    /// <summary>The value of <see cref="Commit"/> when the build had no git commit.</summary>
    public const string UnknownCommit = "unknown";

    private static readonly (string Version, string Commit) Parsed = Parse(
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>The library's version (semantic version, for example "0.1.0"; the NuGet package version).</summary>
    public static string Version => Parsed.Version;

    /// <summary>The full git commit hash (40 hex digits) the library was built from, or <see cref="UnknownCommit"/>.</summary>
    public static string Commit => Parsed.Commit;

    /// <summary>Splits an informational version "VERSION+COMMIT" (the SDK's format) into its version and commit; a missing
    /// part is "unknown".</summary>
    internal static (string Version, string Commit) Parse(string? informationalVersion)
    {
        if (string.IsNullOrWhiteSpace(informationalVersion)) return (UnknownCommit, UnknownCommit);
        int plus = informationalVersion.IndexOf('+');
        if (plus < 0) return (informationalVersion, UnknownCommit);
        string commit = informationalVersion[(plus + 1)..];
        return (informationalVersion[..plus], commit.Length > 0 ? commit : UnknownCommit);
    }
}
