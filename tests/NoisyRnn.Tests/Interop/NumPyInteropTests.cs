using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using NoisyRnn.Interop;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using Xunit.Abstractions;

namespace NoisyRnn.Tests.Interop;

/// <summary>
/// Python with NumPy loads what the library writes: model.safetensors parsed with json + numpy.frombuffer exactly as
/// docs/python.md shows (no safetensors package), activity.npz with numpy.load. Python reports every array's shape, dtype and
/// bytes, which must equal the C# side bit for bit, and computes h_0 = s @ encoder.weight.T itself.
/// <para>Python is /usr/bin/python3 (Debian's, where CI installs python3-numpy), else NOISYRNN_PYTHON, else python3 on PATH.
/// Without Python or NumPy the test passes without checking anything and says so in its output (xunit 2 has no runtime
/// skip), unless NOISYRNN_REQUIRE_NUMPY=1, as .ci/run sets: then it fails.</para>
/// </summary>
public class NumPyInteropTests(ITestOutputHelper output)
{
    // The encoder product in NumPy (float32 dot) and in the library sum the same few terms in another order.
    private const double EncoderTolerance = 1e-5;

    private const string Script = """
        import io, json, sys, zipfile
        import numpy as np

        def load_safetensors(path):
            # The loader of docs/python.md: the 8-byte header size, the JSON header, then the float32 buffer.
            raw = open(path, "rb").read()
            n = int.from_bytes(raw[:8], "little"); header = json.loads(raw[8:8 + n])
            meta = header.pop("__metadata__", {})
            weights = {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], "<f4").reshape(v["shape"]) for k, v in header.items()}
            return weights, meta

        def describe(a):
            a = np.asarray(a)
            return {"shape": list(a.shape), "dtype": a.dtype.str, "hex": np.ascontiguousarray(a, a.dtype.newbyteorder("<")).tobytes().hex()}

        folder = sys.argv[1]
        result = {"numpy": np.__version__, "models": {}, "npz": {}}
        for name in ["vanilla", "gru"]:
            weights, meta = load_safetensors(f"{folder}/{name}.safetensors")
            result["models"][name] = {"tensors": {k: describe(v) for k, v in weights.items()}, "metadata": meta}
        for name in ["activity", "zip64"]:
            path = f"{folder}/{name}.npz"
            npz = np.load(path)
            zf = zipfile.ZipFile(path)
            entries = {}
            for key in npz.files:
                entry = describe(npz[key])
                buf = io.BytesIO(); np.save(buf, npz[key])
                entry["same_as_numpy_save"] = buf.getvalue() == zf.read(key + ".npy")
                entries[key] = entry
            result["npz"][name] = {"order": list(npz.files), "arrays": entries}
        # h_0 = encoder(s): y = x @ W.T with W [out_features, in_features].
        weights, _ = load_safetensors(f"{folder}/vanilla.safetensors")
        act = np.load(f"{folder}/activity.npz")
        h0 = act["init_state"] @ weights["encoder.weight"].T
        result["encoder_max_abs_diff"] = float(np.max(np.abs(h0 - act["initial_hidden"])))
        result["encoder_max_abs"] = float(np.max(np.abs(h0)))
        print(json.dumps(result))
        """;

    private static string? FindPython()
    {
        string? configured = Environment.GetEnvironmentVariable("NOISYRNN_PYTHON");
        if (!string.IsNullOrEmpty(configured)) return configured;
        return File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string python, params string[] args)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"{python} did not finish within 120 s");
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>True when Python with NumPy runs; otherwise false (or a failure when NOISYRNN_REQUIRE_NUMPY=1).</summary>
    private bool NumPyAvailable(string python)
    {
        bool required = Environment.GetEnvironmentVariable("NOISYRNN_REQUIRE_NUMPY") == "1";
        string reason;
        try
        {
            var (code, stdout, stderr) = Run(python, "-c", "import numpy; print(numpy.__version__)");
            if (code == 0)
            {
                output.WriteLine($"{python}: numpy {stdout.Trim()}");
                return true;
            }
            reason = $"{python} cannot import numpy: {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            reason = $"{python} cannot be started: {e.Message}";
        }
        Assert.False(required, $"NOISYRNN_REQUIRE_NUMPY=1 but {reason}. Install NumPy (Debian: apt-get install python3-numpy) or set NOISYRNN_PYTHON.");
        output.WriteLine($"NOT CHECKED: {reason}. Install python3-numpy to run this test (set NOISYRNN_REQUIRE_NUMPY=1 to make this a failure).");
        return false;
    }

    private static string Hex<T>(ReadOnlySpan<T> values) where T : unmanaged => Convert.ToHexStringLower(MemoryMarshal.AsBytes(values));

    [Fact]
    public void NumPyLoadsModelSafetensorsAndActivityNpz()
    {
        string python = FindPython()!;
        if (!NumPyAvailable(python)) return;

        string dir = Directory.CreateTempSubdirectory("numpy-interop-").FullName;
        try
        {
            // Two networks with biases, so every layer kind is exported.
            var vanilla = (VanillaRnn)SafeTensorsModelTests.Make("vanilla-bias");
            var gru = SafeTensorsModelTests.Make("gru-bias");
            var metadata = new Dictionary<string, string> { ["task"] = """{"kind":"spatial","box":[2.2,2.2]}""", ["seed"] = "0", ["note"] = "σ \"quoted\"\n" };
            SafeTensorsModel.Save(Path.Combine(dir, "vanilla.safetensors"), vanilla, metadata);
            SafeTensorsModel.Save(Path.Combine(dir, "gru.safetensors"), gru, metadata);

            // activity.npz as a quiescence run writes it: hidden states and readouts [batch, time, ...].
            var o = vanilla.Options;
            const int Batch = 3, Time = 4;
            var rng = new Random(2);
            float[] init = Enumerable.Range(0, Batch * o.InitSize).Select(_ => (float)rng.NextDouble()).ToArray();
            float[] h0 = new float[Batch * o.HiddenSize];
            vanilla.Encode(init, Batch, h0);
            float[] hidden = new float[Batch * Time * o.HiddenSize], outputs = new float[Batch * Time * o.OutputSize];
            vanilla.Simulate(h0, default, Batch, Time, 0.05f, new GaussianNoiseSource(11), hidden, outputs);
            var arrays = new List<(string Name, NpyArray Array)>
            {
                ("quiescent_hidden", NpyArray.Create(hidden, Batch, Time, o.HiddenSize)),
                ("quiescent_outputs", NpyArray.Create(outputs, Batch, Time, o.OutputSize)),
                ("init_state", NpyArray.Create(init, Batch, o.InitSize)),
                ("initial_hidden", NpyArray.Create(h0, Batch, o.HiddenSize)),
                ("quiescent_std", NpyArray.Create(new[] { 0.05f })),
                ("kl", NpyArray.Create(new[] { 0.12, 3.4 }, 2)),
                ("steps", NpyArray.Create(new[] { 1000, 2000 }, 2)),
                ("empty", NpyArray.Create(ReadOnlyMemory<float>.Empty, 0, 2)),
            };
            Npz.Write(Path.Combine(dir, "activity.npz"), arrays);
            using (var zip64 = File.Create(Path.Combine(dir, "zip64.npz"))) Npz.WriteArchive(zip64, arrays, zip64Limit: 0);

            string script = Path.Combine(dir, "check.py");
            File.WriteAllText(script, Script);
            var (code, stdout, stderr) = Run(python, script, dir);
            Assert.True(code == 0, $"python failed (exit {code}):\n{stderr}");
            using var doc = JsonDocument.Parse(stdout);
            var result = doc.RootElement;
            output.WriteLine($"numpy {result.GetProperty("numpy").GetString()}");

            foreach (var (name, network) in new[] { ("vanilla", (IRecurrentNetwork)vanilla), ("gru", gru) })
            {
                var model = result.GetProperty("models").GetProperty(name);
                var tensors = model.GetProperty("tensors");
                Assert.Equal(network.Parameters.Views.Select(v => v.Name).Order(StringComparer.Ordinal), tensors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                foreach (var v in network.Parameters.Views)
                {
                    var t = tensors.GetProperty(v.Name);
                    Assert.Equal(v.Shape, t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
                    Assert.Equal("<f4", t.GetProperty("dtype").GetString());
                    Assert.Equal(Hex<float>(network.Parameters[v.Name]), t.GetProperty("hex").GetString());
                }
                var meta = model.GetProperty("metadata");
                foreach (var (key, value) in metadata) Assert.Equal(value, meta.GetProperty(key).GetString());
                Assert.Equal(network.Kind, meta.GetProperty(SafeTensorsModel.ModelKindKey).GetString());
                Assert.Equal("pt", meta.GetProperty(SafeTensorsModel.FormatKey).GetString());
            }

            foreach (string file in new[] { "activity", "zip64" })
            {
                var npz = result.GetProperty("npz").GetProperty(file);
                Assert.Equal(arrays.Select(a => a.Name), npz.GetProperty("order").EnumerateArray().Select(e => e.GetString()));
                foreach (var (name, array) in arrays)
                {
                    var a = npz.GetProperty("arrays").GetProperty(name);
                    Assert.Equal(array.Shape, a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
                    string expectedType = array.DataType switch { NpyDataType.Float32 => "<f4", NpyDataType.Float64 => "<f8", _ => "<i4" };
                    Assert.Equal(expectedType, a.GetProperty("dtype").GetString());
                    string hex = array.DataType switch
                    {
                        NpyDataType.Float32 => Hex(array.AsFloat32().Span),
                        NpyDataType.Float64 => Hex(array.AsFloat64().Span),
                        _ => Hex(array.AsInt32().Span),
                    };
                    Assert.Equal(hex, a.GetProperty("hex").GetString());
                    Assert.True(a.GetProperty("same_as_numpy_save").GetBoolean(), $"{file}.npz entry {name}: the .npy bytes differ from numpy.save's");
                }
            }

            double diff = result.GetProperty("encoder_max_abs_diff").GetDouble();
            Assert.True(diff <= EncoderTolerance * Math.Max(1, result.GetProperty("encoder_max_abs").GetDouble()), $"h0 from NumPy differs by {diff}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
