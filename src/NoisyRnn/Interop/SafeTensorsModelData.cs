using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Models;

namespace NoisyRnn.Interop;

/// <summary>What <see cref="SafeTensorsModel.Load(string)"/> returns.</summary>
/// <param name="Network">The network (a <see cref="VanillaRnn"/> or a <see cref="GruRnn"/>, per the file's model kind)
/// holding the file's parameters.</param>
/// <param name="Metadata">The caller's metadata as saved, without the keys <see cref="SafeTensorsModel"/> reserves.</param>
public sealed record SafeTensorsModelData(IRecurrentNetwork Network, IReadOnlyDictionary<string, string> Metadata);
