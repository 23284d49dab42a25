using NoisyRnn.Noise;

namespace NoisyRnn.Training;

/// <summary>
/// How a network is trained: steps, batch, optimizer, training noise and seeds. Defaults follow the paper's
/// spatial configuration (batch 200, Adam lr 1e-3, no weight decay; Krishna et al. 2024, App. B).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Number of optimizer steps (one fresh batch each); &gt; 0. Paper: 2500 (spatial).</summary>
    public int Steps { get; init; } = 2500;

    /// <summary>Trajectories per batch; &gt; 0. Paper: 200.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>Optimizer hyper-parameters.</summary>
    public AdamOptions Adam { get; init; } = new();

    /// <summary>Per-step noise std of input, recurrent and readout noise during training (reference <c>sigma_in</c>,
    /// <c>sqrt(sigma2_rec)</c>, <c>sigma_out</c>). Paper, spatial: recurrent 0.01 (variance 1e-4).</summary>
    public NoiseLevels Noise { get; init; } = NoiseLevels.None;

    /// <summary>Distribution of the raw input and recurrent draws: Gaussian (paper) or U[0,1) (reference).</summary>
    public NoiseDistribution NoiseDistribution { get; init; } = NoiseDistribution.StandardNormal;

    /// <summary>Base seed; batches, noise and the held-out batch derive their own streams from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>Evaluate on the held-out batch every this many steps (and at the last step); &gt; 0.</summary>
    public int EvaluateEvery { get; init; } = 100;

    /// <summary>Trajectories in the held-out batch; &gt; 0.</summary>
    public int TestBatchSize { get; init; } = 200;

    /// <summary>Write a checkpoint every this many steps when a checkpoint path is given; 0 = only at the end.</summary>
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Generate the next step's batch on a background task while the current step trains (one extra batch
    /// buffer). Every batch comes from its own derived seed, so results are bit-identical either way; only wall time
    /// changes. The task's NextBatch then runs concurrently with the trainer's Decode/DecodingErrors calls, so a custom
    /// task must allow that (the built-in tasks do). Default false: measured on a 2-core machine, the overlap made steps
    /// slightly slower because the GEMMs already use both cores (docs/performance.md).</summary>
    public bool OverlapDataGeneration { get; init; }

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range (or <see cref="NoiseDistribution"/> is not a
    /// defined value); the parameter name is the property.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Adam"/> or <see cref="Noise"/> is null.</exception>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be > 0.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be > 0.");
        if (EvaluateEvery <= 0) throw new ArgumentOutOfRangeException(nameof(EvaluateEvery), EvaluateEvery, "EvaluateEvery must be > 0.");
        if (TestBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(TestBatchSize), TestBatchSize, "TestBatchSize must be > 0.");
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "CheckpointEvery must be >= 0.");
        if (!Enum.IsDefined(NoiseDistribution))
            throw new ArgumentOutOfRangeException(nameof(NoiseDistribution), NoiseDistribution, "NoiseDistribution must be StandardNormal or Uniform01.");
        if (Adam is null) throw new ArgumentNullException(nameof(Adam));
        if (Noise is null) throw new ArgumentNullException(nameof(Noise));
        Adam.Validate();
    }
}
