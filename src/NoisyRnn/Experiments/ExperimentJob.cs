namespace NoisyRnn.Experiments;

/// <summary>One job of a plan: a configuration with one seed, run into its own folder.</summary>
/// <param name="Id">Index in the plan, from 0 (the <c>--job-index</c> of <c>noisyrnn reproduce</c>, as a Slurm array task id).</param>
/// <param name="Preset">The configuration's name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Folder">The job's run folder.</param>
/// <param name="Config">The configuration with <see cref="ExperimentConfig.Seed"/> set to <paramref name="Seed"/>.</param>
public sealed record ExperimentJob(int Id, string Preset, ulong Seed, string Folder, ExperimentConfig Config);
