using System.Text.Json;
using NoisyRnn.Reference;
using NoisyRnn.Tasks;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Tasks;

/// <summary>Reads the spatial task fixtures: options and the recorded random draws.</summary>
internal static class SpatialFixtures
{
    public static readonly string[] Files = ["spatial_trajectories_unbiased.json", "spatial_trajectories_biased.json"];

    public static SpatialNavigationOptions Options(JsonElement root)
    {
        JsonElement p = root.GetProperty("params");
        double[] anchor = ReferenceFixtures.Doubles(p.GetProperty("anchor_point"));
        Assert.Equal(0.0, p.GetProperty("mu").GetDouble()); // the library has no turn bias
        return new SpatialNavigationOptions
        {
            BoxWidth = p.GetProperty("box_width").GetDouble(),
            BoxHeight = p.GetProperty("box_height").GetDouble(),
            BorderRegion = p.GetProperty("border_region").GetDouble(),
            BorderSlowFactor = p.GetProperty("border_slow_factor").GetDouble(),
            DriftConstant = p.GetProperty("drift_const").GetDouble(),
            AnchorX = anchor[0],
            AnchorY = anchor[1],
            Dt = p.GetProperty("dt").GetDouble(),
            TurnStd = p.GetProperty("sigma").GetDouble(),
            RayleighScale = p.GetProperty("b").GetDouble(),
            SequenceLength = p.GetProperty("sequence_length").GetInt32(),
            Biased = root.GetProperty("biased").GetBoolean(),
        };
    }

    public static int BatchSize(JsonElement root) => root.GetProperty("params").GetProperty("batch_size").GetInt32();

    public static double PlaceCellSigma(JsonElement root) => root.GetProperty("params").GetProperty("place_cells_sigma").GetDouble();

    public static List<RecordedTaskDraw> Draws(JsonElement root)
    {
        var records = new List<RecordedTaskDraw>();
        foreach (JsonElement e in root.GetProperty("random_draws_in_call_order").EnumerateArray())
        {
            double[] values = ReferenceFixtures.Tensor(e).Data;
            string dist = e.GetProperty("dist").GetString()!;
            records.Add(dist switch
            {
                "uniform" => RecordedTaskDraw.Uniform(e.GetProperty("low").GetDouble(), e.GetProperty("high").GetDouble(), values),
                "normal" => RecordedTaskDraw.Normal(e.GetProperty("mean").GetDouble(), e.GetProperty("std").GetDouble(), values),
                "rayleigh" => RecordedTaskDraw.Rayleigh(e.GetProperty("scale").GetDouble(), values),
                _ => throw new InvalidDataException($"Unknown distribution {dist}."),
            });
        }
        return records;
    }
}
