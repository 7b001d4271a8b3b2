using System.Numerics;

namespace MLNet.TensorCompression.Tensors;

/// <summary>Reorders the axes of a dense row-major tensor (a generalised transpose).</summary>
internal static class TensorPermutation
{
    /// <summary>
    /// Writes <paramref name="source"/> (row-major, shape <paramref name="shape"/>) into <paramref name="destination"/>
    /// with its axes in the order <paramref name="permutation"/>: output axis k is input axis permutation[k].
    /// Converts the element type on the way, so a float weight can be permuted straight into a double work tensor.
    /// </summary>
    public static void Permute<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> permutation)
        where TFrom : INumberBase<TFrom>
        where TTo : INumberBase<TTo>
    {
        int rank = shape.Length;
        if (permutation.Length != rank)
            throw new ArgumentException($"Permutation has {permutation.Length} axes but the shape has {rank}.", nameof(permutation));
        long count = 1;
        foreach (int size in shape) count *= size;
        if (source.Length != count || destination.Length != count)
            throw new ArgumentException($"Source ({source.Length}) and destination ({destination.Length}) must both hold {count} elements.");
        if (count == 0) return;

        // Input strides, then the stride of each output axis in the input.
        Span<long> inputStride = stackalloc long[rank];
        long stride = 1;
        for (int axis = rank - 1; axis >= 0; axis--) { inputStride[axis] = stride; stride *= shape[axis]; }
        Span<long> strideOfOutputAxis = stackalloc long[rank];
        Span<int> outputShape = stackalloc int[rank];
        Span<bool> seen = stackalloc bool[rank];
        for (int k = 0; k < rank; k++)
        {
            int axis = permutation[k];
            if (axis < 0 || axis >= rank || seen[axis])
                throw new ArgumentException($"Permutation [{string.Join(", ", permutation.ToArray())}] is not a permutation of 0..{rank - 1}.", nameof(permutation));
            seen[axis] = true;
            strideOfOutputAxis[k] = inputStride[axis];
            outputShape[k] = shape[axis];
        }

        // Walk the output in order; the innermost output axis is a strided gather from the input.
        int inner = outputShape[rank - 1];
        long innerStride = strideOfOutputAxis[rank - 1];
        Span<int> index = stackalloc int[rank];
        long inputOffset = 0;
        for (long outputOffset = 0; outputOffset < count; outputOffset += inner)
        {
            var row = destination.Slice((int)outputOffset, inner);
            if (innerStride == 1)
            {
                var contiguous = source.Slice((int)inputOffset, inner);
                for (int j = 0; j < inner; j++) row[j] = TTo.CreateTruncating(contiguous[j]);
            }
            else
            {
                long at = inputOffset;
                for (int j = 0; j < inner; j++, at += innerStride) row[j] = TTo.CreateTruncating(source[(int)at]);
            }
            // Advance the multi-index over the outer output axes.
            for (int k = rank - 2; k >= 0; k--)
            {
                inputOffset += strideOfOutputAxis[k];
                if (++index[k] < outputShape[k]) break;
                inputOffset -= strideOfOutputAxis[k] * outputShape[k];
                index[k] = 0;
            }
        }
    }

    /// <summary>The permutation that undoes <paramref name="permutation"/>.</summary>
    public static int[] Inverse(ReadOnlySpan<int> permutation)
    {
        var inverse = new int[permutation.Length];
        for (int k = 0; k < permutation.Length; k++) inverse[permutation[k]] = k;
        return inverse;
    }
}
