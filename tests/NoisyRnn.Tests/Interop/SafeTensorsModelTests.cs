using NoisyRnn.Interop;
using NoisyRnn.Models;
using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests.Interop;

public class SafeTensorsModelTests
{
    private static readonly Dictionary<string, string> Context = new()
    {
        ["task"] = """{"kind":"spatial","place_cells":512}""",
        ["noise"] = """{"recurrent_std":0.01,"distribution":"StandardNormal"}""",
        ["seed"] = "0",
    };

    public static TheoryData<string> Networks() => ["vanilla", "vanilla-bias", "vanilla-all-biases", "gru", "gru-bias"];

    internal static IRecurrentNetwork Make(string which) => which switch
    {
        "vanilla" => VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 7, 5, 5), seed: 3),
        "vanilla-bias" => VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 7, 5, 4, Activation.Tanh, 2f, 0.5f, UseBias: true), seed: 4),
        "vanilla-all-biases" => VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 7, 5, 4, Activation.Tanh, 2f, 0.5f, UseBias: true)
        { BiasLayout = VanillaBiasLayout.AllLayers }, seed: 4),
        "gru" => GruRnn.CreateInitialized(new GruRnnOptions(1, 6, 9, 9), seed: 5),
        "gru-bias" => GruRnn.CreateInitialized(new GruRnnOptions(2, 3, 4, 4, UseBias: true), seed: 6),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    private static string TempFolder() => Directory.CreateTempSubdirectory("model-safetensors-").FullName;

    [Theory]
    [MemberData(nameof(Networks))]
    public void RoundTripGivesTheSameParameterBitsOptionsAndMetadata(string which)
    {
        var network = Make(which);
        string dir = TempFolder();
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            SafeTensorsModel.Save(path, network, Context);
            var loaded = SafeTensorsModel.Load(path);
            Assert.Equal(network.Kind, loaded.Network.Kind);
            Assert.Equal(network.GetType(), loaded.Network.GetType());
            Assert.Equal(network.NetworkOptions, loaded.Network.NetworkOptions);
            Assert.True(network.Parameters.HasSameLayout(loaded.Network.Parameters));
            Assert.Equal(network.Parameters.Values.Select(BitConverter.SingleToInt32Bits), loaded.Network.Parameters.Values.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(Context.OrderBy(p => p.Key, StringComparer.Ordinal), loaded.Metadata);

            // Every tensor under its state_dict name with its nn.Linear shape, plus the reserved keys.
            var file = SafeTensors.Read(path);
            Assert.Equal(network.Parameters.Views.Select(v => v.Name).Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name));
            foreach (var v in network.Parameters.Views) Assert.Equal(v.Shape, file[v.Name].Shape);
            Assert.Equal("pt", file.Metadata[SafeTensorsModel.FormatKey]);
            Assert.Equal(network.Kind, file.Metadata[SafeTensorsModel.ModelKindKey]);
            Assert.Contains("\"HiddenSize\":", file.Metadata[SafeTensorsModel.NetworkOptionsKey]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("vanilla_relu.json", "vanilla")]
    [InlineData("gru_tanh.json", "gru")]
    public void TensorNamesAndShapesAreTheReferenceStateDict(string fixture, string kind)
    {
        var json = ReferenceFixtures.Load(fixture);
        var sizes = json.GetProperty("sizes");
        int nIn = sizes.GetProperty("n_in").GetInt32(), nRec = sizes.GetProperty("n_rec").GetInt32(), nOut = sizes.GetProperty("n_out").GetInt32(),
            nInit = sizes.GetProperty("n_init").GetInt32();
        IRecurrentNetwork network = kind == "vanilla"
            ? new VanillaRnn(new VanillaRnnOptions(nIn, nRec, nOut, nInit))
            : new GruRnn(new GruRnnOptions(nIn, nRec, nOut, nInit));
        var reference = json.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => ReferenceFixtures.Tensor(p.Value));
        foreach (var (name, tensor) in reference) tensor.AsFloat().CopyTo(network.Parameters[name]);

        using var ms = new MemoryStream();
        SafeTensorsModel.Save(ms, network);
        ms.Position = 0;
        var file = SafeTensors.Read(ms);
        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name));
        foreach (var (name, tensor) in reference)
        {
            Assert.Equal(tensor.Shape, file[name].Shape);
            Assert.Equal(tensor.AsFloat(), file[name].Data.ToArray());
        }
    }

    [Fact]
    public void NetworkOptionsAreTheCheckpointJsonAsDocumented()
    {
        using var ms = new MemoryStream();
        SafeTensorsModel.Save(ms, Make("vanilla"));
        ms.Position = 0;
        // docs/python.md shows this text (at the paper's sizes).
        Assert.Equal("""{"InputSize":2,"HiddenSize":7,"OutputSize":5,"InitSize":5,"Activation":"Relu","TimeConstant":1,"Dt":0.2,"UseBias":false,"Alpha":0.2}""",
            SafeTensors.Read(ms).Metadata[SafeTensorsModel.NetworkOptionsKey]);
    }

    [Fact]
    public void SavingTwiceGivesTheSameBytesAndTheStreamOverloadAgrees()
    {
        var network = Make("gru-bias");
        string dir = TempFolder();
        try
        {
            string a = Path.Combine(dir, "a.safetensors"), b = Path.Combine(dir, "b.safetensors");
            SafeTensorsModel.Save(a, network, Context);
            // Same values in a fresh network and the metadata in another order: same bytes.
            var copy = new GruRnn(((GruRnn)network).Options);
            copy.Parameters.CopyFrom(network.Parameters);
            SafeTensorsModel.Save(b, copy, Context.Reverse().ToDictionary());
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
            using var ms = new MemoryStream();
            SafeTensorsModel.Save(ms, network, Context);
            Assert.Equal(File.ReadAllBytes(a), ms.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SaveRejectsReservedKeysAndNonFiniteWeights()
    {
        var network = Make("vanilla");
        using var ms = new MemoryStream();
        foreach (string key in new[] { SafeTensorsModel.FormatKey, SafeTensorsModel.ModelKindKey, SafeTensorsModel.NetworkOptionsKey })
        {
            var e = Assert.Throws<ArgumentException>(() => SafeTensorsModel.Save(ms, network, new Dictionary<string, string> { [key] = "x" }));
            Assert.Equal("metadata", e.ParamName);
            Assert.Contains("reserved", e.Message);
        }
        network.Parameters[VanillaRnn.RecurrentWeight][3] = float.NaN;
        Assert.Throws<ArgumentException>(() => SafeTensorsModel.Save(ms, network));
        Assert.Equal(0, ms.Length);
    }

    [Fact]
    public void LoadReportsFilesThatDoNotDescribeANetwork()
    {
        string dir = TempFolder();
        try
        {
            var network = (VanillaRnn)Make("vanilla");
            string plain = Path.Combine(dir, "plain.safetensors");
            SafeTensors.Write(plain, SafeTensorsModel.ToTensors(network));
            Assert.Contains("LoadParameters", Assert.Throws<InvalidDataException>(() => SafeTensorsModel.Load(plain)).Message);

            // A file without the reserved keys (as Python's safetensors.torch.save_file writes it) loads into known options.
            var target = new VanillaRnn(network.Options);
            SafeTensorsModel.LoadParameters(plain, target.Parameters);
            Assert.Equal(network.Parameters.Values, target.Parameters.Values);

            // Another size: the shape mismatch is named and the target left unchanged.
            var other = new VanillaRnn(network.Options with { HiddenSize = 8 });
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsModel.LoadParameters(plain, other.Parameters));
            Assert.Contains("'encoder.weight' has shape [7, 5]; the network expects [8, 5]", e.Message);
            Assert.All(other.Parameters.Values, v => Assert.Equal(0f, v));

            // A missing tensor is named.
            string partial = Path.Combine(dir, "partial.safetensors");
            SafeTensors.Write(partial, SafeTensorsModel.ToTensors(network).Where(t => t.Name != VanillaRnn.OutputWeight));
            Assert.Contains("missing [w_out.weight]", Assert.Throws<InvalidDataException>(() => SafeTensorsModel.LoadParameters(partial, target.Parameters)).Message);

            // An unknown kind, invalid options and non-finite values are reported.
            var tensors = SafeTensorsModel.ToTensors(network);
            string options = System.Text.Json.JsonSerializer.Serialize(network.Options, new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });
            string unknown = Path.Combine(dir, "unknown.safetensors");
            SafeTensors.Write(unknown, tensors, new Dictionary<string, string> { [SafeTensorsModel.ModelKindKey] = "lstm", [SafeTensorsModel.NetworkOptionsKey] = options });
            Assert.Contains("unknown model kind 'lstm'", Assert.Throws<InvalidDataException>(() => SafeTensorsModel.Load(unknown)).Message);
            string invalid = Path.Combine(dir, "invalid.safetensors");
            SafeTensors.Write(invalid, tensors, new Dictionary<string, string> { [SafeTensorsModel.ModelKindKey] = "vanilla", [SafeTensorsModel.NetworkOptionsKey] = options.Replace("\"Dt\":0.2", "\"Dt\":-1") });
            Assert.Contains("invalid network options", Assert.Throws<InvalidDataException>(() => SafeTensorsModel.Load(invalid)).Message);
            string nan = Path.Combine(dir, "nan.safetensors");
            var withNan = tensors.Select(t => t.Name == VanillaRnn.InputWeight ? new SafeTensor(t.Name, Enumerable.Repeat(float.NaN, t.Data.Length).ToArray(), [.. t.Shape]) : t);
            SafeTensors.Write(nan, withNan);
            Assert.Contains("non-finite", Assert.Throws<InvalidDataException>(() => SafeTensorsModel.LoadParameters(nan, target.Parameters)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
