using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Cli;

[TestClass]
public sealed class NpyFileTests
{
    [TestMethod]
    public void ReadsFloat32AndConvertsFloat64AndBytes()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("a.npy");
        NpyWriter.Write(path, [1, 2, 3, 4, 5, 6], [2, 1, 3]);
        var (values, shape) = NpyFile.Read(path);
        CollectionAssert.AreEqual(new long[] { 2, 1, 3 }, shape);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, values);

        NpyWriter.WriteRaw(path, "<f8", [2], new double[] { 0.5, -2 }.SelectMany(BitConverter.GetBytes).ToArray(), major: 2);
        CollectionAssert.AreEqual(new float[] { 0.5f, -2 }, NpyFile.Read(path).Values);
        NpyWriter.WriteRaw(path, "|u1", [3], [0, 128, 255], major: 3);
        CollectionAssert.AreEqual(new float[] { 0, 128, 255 }, NpyFile.Read(path).Values);
        NpyWriter.WriteRaw(path, "<i8", [2], new long[] { 7, 9 }.SelectMany(BitConverter.GetBytes).ToArray());
        CollectionAssert.AreEqual(new float[] { 7, 9 }, NpyFile.Read(path).Values);
    }

    [TestMethod]
    [DataRow("magic", "does not start with the magic string")]
    [DataRow("version", "format version 4.0; this reader takes versions 1, 2 and 3")]
    [DataRow("fortran", "Fortran (column-major) order")]
    [DataRow("dtype", "holds dtype '>f4'")]
    [DataRow("truncated", "declares shape (2, 3) of '<f4', 24 data bytes, but holds 20")]
    [DataRow("header", "not a dict with 'descr', 'fortran_order' and 'shape'")]
    [DataRow("short", "declares a 118-byte header but is only 20 bytes long")]
    public void MalformedFilesAreRefusedNamingTheFileAndTheProblem(string kind, string expected)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File($"{kind}.npy");
        var data = new byte[24];
        switch (kind)
        {
            case "magic": File.WriteAllBytes(path, new byte[32]); break;
            case "version": NpyWriter.WriteRaw(path, "<f4", [2, 3], data, major: 4); break;
            case "fortran": NpyWriter.WriteRaw(path, "<f4", [2, 3], data, fortran: true); break;
            case "dtype": NpyWriter.WriteRaw(path, ">f4", [2, 3], data); break;
            case "truncated": NpyWriter.WriteRaw(path, "<f4", [2, 3], data[..20]); break;
            case "header":
                NpyWriter.WriteRaw(path, "<f4", [2, 3], data);
                var bytes = File.ReadAllBytes(path);
                System.Text.Encoding.Latin1.GetBytes("'shapf'").CopyTo(bytes, bytes.AsSpan().IndexOf("'shape'"u8));
                File.WriteAllBytes(path, bytes);
                break;
            case "short":
                NpyWriter.WriteRaw(path, "<f4", [2, 3], data);
                File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);
                break;
        }
        var problem = Assert.ThrowsExactly<InvalidDataException>(() => NpyFile.Read(path));
        Assert.Contains(path, problem.Message);
        Assert.Contains(expected, problem.Message);
    }
}
