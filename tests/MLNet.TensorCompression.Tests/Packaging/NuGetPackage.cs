using System.IO.Compression;
using System.Xml.Linq;

namespace MLNet.TensorCompression.Tests.Packaging;

/// <summary>A .nupkg opened for reading: its file list and its nuspec.</summary>
internal sealed class NuGetPackage
{
    public NuGetPackage(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        Entries = archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray();
        var nuspec = archive.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
        using var stream = nuspec.Open();
        Nuspec = XDocument.Load(stream);
        using var reader = new StreamReader(nuspec.Open());
        NuspecText = reader.ReadToEnd();
    }

    /// <summary>Paths of the files in the package, '/'-separated, sorted.</summary>
    public string[] Entries { get; }

    /// <summary>The nuspec, parsed.</summary>
    public XDocument Nuspec { get; }

    /// <summary>The nuspec as written.</summary>
    public string NuspecText { get; }

    /// <summary>Value of the metadata element <paramref name="name"/> (e.g. "version", "readme"), or null.</summary>
    public string? Metadata(string name) => Elements(name).FirstOrDefault()?.Value;

    /// <summary>Ids of every dependency in every group.</summary>
    public string[] DependencyIds() =>
        Elements("dependency").Select(d => (string?)d.Attribute("id") ?? "").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Names of the package types.</summary>
    public string[] PackageTypes() => Elements("packageType").Select(t => (string?)t.Attribute("name") ?? "").ToArray();

    // The nuspec namespace differs between package kinds (2012/06 for tools, 2013/05 for libraries): match local names.
    private IEnumerable<XElement> Elements(string localName) => Nuspec.Descendants().Where(e => e.Name.LocalName == localName);
}
