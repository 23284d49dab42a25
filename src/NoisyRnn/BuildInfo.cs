using System.Reflection;

namespace NoisyRnn;

/// <summary>The version and source commit of this build of the library, from its informational version
/// ("0.1.0+&lt;commit&gt;", stamped by the SDK's Source Link from git).</summary>
internal static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The version without the commit, for example "0.1.0".</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The commit the library was built from, or "unknown".</summary>
    public static string Commit => Informational.Split('+') is [_, var commit, ..] ? commit : "unknown";
}
