using System.IO.Compression;
using MLNet.TensorCompression.Tests.Samples;

using MLNet.TensorCompression.Cli;

namespace MLNet.TensorCompression.Tests.Data;

[TestClass]
public sealed class IdxFileTests
{
    [TestMethod]
    public void GzippedFilesReadAsTheirContent()
    {
        string directory = Directory.CreateTempSubdirectory("idx-gz").FullName;
        try
        {
            var plainImages = SampleData.Path("fashion-test-2000-images.idx3-ubyte");
            var plainLabels = SampleData.Path("fashion-test-2000-labels.idx1-ubyte");
            string gzImages = Gzip(plainImages, directory), gzLabels = Gzip(plainLabels, directory);

            var (pixels, count, rows, columns) = IdxFile.ReadImages(plainImages);
            var (gzPixels, gzCount, gzRows, gzColumns) = IdxFile.ReadImages(gzImages);
            Assert.AreEqual((count, rows, columns), (gzCount, gzRows, gzColumns));
            CollectionAssert.AreEqual(pixels, gzPixels);
            CollectionAssert.AreEqual(IdxFile.ReadLabels(plainLabels), IdxFile.ReadLabels(gzLabels));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ATruncatedGzippedFileIsAnError()
    {
        string directory = Directory.CreateTempSubdirectory("idx-gz").FullName;
        try
        {
            string gz = Gzip(SampleData.Path("fashion-test-2000-labels.idx1-ubyte"), directory);
            var bytes = File.ReadAllBytes(gz);
            File.WriteAllBytes(gz, bytes[..(bytes.Length / 2)]);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadLabels(gz));
            Assert.Contains(gz, error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Gzip(string path, string directory)
    {
        string target = Path.Combine(directory, Path.GetFileName(path) + ".gz");
        using var input = File.OpenRead(path);
        using var output = new GZipStream(File.Create(target), CompressionLevel.Fastest);
        input.CopyTo(output);
        return target;
    }
}
