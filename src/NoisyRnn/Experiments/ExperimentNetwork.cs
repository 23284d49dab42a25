using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>A trained network of an experiment and what was measured on it while awake.</summary>
/// <param name="Name">"noise-trained" or "noise-free".</param>
/// <param name="NoiseStd">Per-step training noise std.</param>
/// <param name="Model">The trained network.</param>
/// <param name="Context">Where it comes from (also saved in its checkpoint).</param>
/// <param name="TestBatch">The held-out batch it was evaluated and analysed on.</param>
/// <param name="Evaluations">Its learning curve (held-out evaluations in step order).</param>
/// <param name="ActiveDecoded">Decoded outputs of the held-out batch with the training noise, [batch, time, coords] (coords 2 in m, or 1 in rad).</param>
/// <param name="ActiveDensity">The KDE of <paramref name="ActiveDecoded"/> that every KL compares against.</param>
/// <param name="ActiveHidden">Hidden states of the held-out batch, [batch·time, hidden].</param>
/// <param name="Pca">Their principal components, or null when the states do not vary.</param>
/// <param name="Alignment">Vanilla cell: the denoising alignment; else null.</param>
/// <param name="Decomposition">Vanilla cell: the loss decomposition; else null.</param>
/// <param name="CheckpointPath">Path of its checkpoint (model.nrnn).</param>
public sealed record ExperimentNetwork(string Name, float NoiseStd, IRecurrentNetwork Model, NetworkContext Context, IPathIntegrationBatch TestBatch,
    IReadOnlyList<TaskEvaluation> Evaluations, float[] ActiveDecoded, IKernelDensity ActiveDensity, float[] ActiveHidden, PcaResult? Pca,
    AlignmentResult? Alignment, LossDecompositionResult? Decomposition, string CheckpointPath);
