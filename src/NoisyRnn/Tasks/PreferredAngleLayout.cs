namespace NoisyRnn.Tasks;

/// <summary>How the preferred angles of <see cref="HeadDirectionCells"/> are laid out.</summary>
public enum PreferredAngleLayout
{
    /// <summary>N angles evenly spaced on [-pi, pi): -pi + 2 pi i / N (the paper's description; no two cells coincide). Default.</summary>
    EvenlySpaced = 0,

    /// <summary><c>linspace(-pi, pi, N)</c> as the reference code does: spacing 2 pi / (N - 1), so the first and the last
    /// cell (-pi and pi) prefer the same direction.</summary>
    ReferenceLinspace = 1,
}
