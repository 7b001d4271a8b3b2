namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>One node of the compiled program: its kernel and the value slots it reads and writes (-1 for an omitted input).</summary>
/// <param name="Kernel">The node's computation.</param>
/// <param name="Inputs">Slot of each input, or -1 where an optional input is omitted.</param>
/// <param name="Outputs">Slot of each output.</param>
/// <param name="Description">The op type and node name, for error messages.</param>
internal sealed record ProgramStep(OpKernel Kernel, int[] Inputs, int[] Outputs, string Description);
