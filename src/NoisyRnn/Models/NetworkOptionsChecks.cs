namespace NoisyRnn.Models;

/// <summary>The checks every cell's options share; ParamName is the property's name.</summary>
internal static class NetworkOptionsChecks
{
    /// <summary>Sizes &gt; 0, TimeConstant and Dt finite and &gt; 0, alpha = Dt / TimeConstant in (0, 1], a defined
    /// activation, and a parameter count that fits one float array (counted in double so huge sizes cannot wrap).</summary>
    public static void Validate(IRecurrentNetworkOptions o, double parameterCount)
    {
        Guard.Positive(o.InputSize, nameof(o.InputSize));
        Guard.Positive(o.HiddenSize, nameof(o.HiddenSize));
        Guard.Positive(o.OutputSize, nameof(o.OutputSize));
        Guard.Positive(o.InitSize, nameof(o.InitSize));
        Guard.Positive((double)o.TimeConstant, nameof(o.TimeConstant));
        Guard.Positive((double)o.Dt, nameof(o.Dt));
        float alpha = o.Dt / o.TimeConstant;
        if (!(alpha > 0f && alpha <= 1f))
            throw new ArgumentOutOfRangeException(nameof(o.Dt), o.Dt, $"alpha = Dt / TimeConstant = {o.Dt} / {o.TimeConstant} = {alpha} must be in (0, 1].");
        if (!Enum.IsDefined(o.Activation))
            throw new ArgumentOutOfRangeException(nameof(o.Activation), o.Activation, "Activation is not a defined value.");
        if (parameterCount > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(o.HiddenSize), o.HiddenSize,
                $"The model would have {parameterCount:G6} parameters; expected at most {Array.MaxLength} (one float array). Use fewer hidden, output or init units.");
    }

    /// <summary>batch and time &gt; 0, and the widest [batch, time, width] tape buffer fits one float array (ParamName "batch").</summary>
    public static void TapeSize(IRecurrentNetworkOptions o, int batch, int time)
    {
        Guard.Positive(batch);
        Guard.Positive(time);
        int widest = Math.Max(Math.Max(o.InputSize, o.HiddenSize), Math.Max(o.OutputSize, o.InitSize));
        long elements = (long)batch * time * widest;
        if (elements > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"batch x time x {widest} = {batch} x {time} x {widest} = {elements} elements; expected at most {Array.MaxLength}.");
    }
}
