using System.Reflection;
using Microsoft.ML;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>
/// SchemaShape of a DataViewSchema, as ML.NET's EstimatorChain builds it before fitting. ML.NET keeps the factory
/// <c>SchemaShape.Create</c> internal, and SchemaShape.Column has no public constructor, so tests reach it by reflection.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])
        ?? throw new MissingMethodException("SchemaShape.Create(DataViewSchema) is gone from this ML.NET version.");

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
