using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// A graph flattened into steps over numbered value slots, with model-local functions inlined: what
/// <see cref="GraphCompiler"/> builds once and <see cref="OnnxTorchGraph.Forward"/> runs.
/// </summary>
/// <param name="BoundValues">Per slot, the value fixed at compile time (initializers, parameters, folded constants), else null.</param>
/// <param name="Steps">The nodes left to run per call, in topological order.</param>
/// <param name="InputSlot">The slot of the graph input.</param>
/// <param name="OutputSlots">The slots of the outputs the graph was compiled to return, in their order.</param>
/// <param name="InitializerSlots">The slot of each main-graph initializer, by name.</param>
internal sealed record CompiledGraph(Tensor?[] BoundValues, ProgramStep[] Steps, int InputSlot, int[] OutputSlots, IReadOnlyDictionary<string, int> InitializerSlots);
