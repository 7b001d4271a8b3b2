using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Emission;

/// <summary>Reorders a factor (stored in double by the decompositions) into the float32 layout an op's body reads.</summary>
internal static class FactorLayout
{
    /// <summary>
    /// The values of <paramref name="factor"/> (row-major in <paramref name="shape"/>) with axes reordered so that output
    /// axis k is input axis <paramref name="permutation"/>[k], as float32.
    /// </summary>
    public static float[] Permute(double[] factor, int[] shape, int[] permutation)
    {
        var result = new float[factor.Length];
        TensorPermutation.Permute<double, float>(factor, result, shape, permutation);
        return result;
    }
}
