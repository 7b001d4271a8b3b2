namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// Parses a node's attributes once and returns the kernel that runs it; throws <see cref="NotSupportedException"/>
/// for a form of the op this executor does not run.
/// </summary>
internal delegate OpKernel OpKernelFactory(OpNode node);
