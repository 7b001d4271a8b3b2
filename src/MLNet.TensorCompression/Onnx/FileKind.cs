using System.Runtime.InteropServices;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// What an existing path is — regular file, directory, or something else (FIFO, device, socket) — so that a writer
/// refuses to rename a new file over a FIFO or <c>/dev/null</c>.
/// </summary>
internal static class FileKind
{
    /// <summary>The kind of a file-system entry (links followed).</summary>
    public enum Kind
    {
        /// <summary>Nothing is there.</summary>
        Missing,

        /// <summary>A regular file.</summary>
        Regular,

        /// <summary>A directory.</summary>
        Directory,

        /// <summary>A FIFO, a character or block device, or a socket.</summary>
        Special,
    }

    // .NET's own PAL (libSystem.Native, shipped with every runtime): SystemNative_Stat fills Interop.Sys.FileStatus,
    // whose second int is the mode with the PAL's portable S_IF* values. Managed FileInfo cannot tell a FIFO from a file.
    private const int ModeOffset = 4;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;

    /// <summary>What <paramref name="path"/> names.</summary>
    public static Kind Of(string path)
    {
        if (Directory.Exists(path)) return Kind.Directory;
        if (!File.Exists(path)) return Kind.Missing;
        if (OperatingSystem.IsWindows()) return Kind.Regular;
        try
        {
            var status = new byte[512];
            if (Stat(path, status) != 0) return Kind.Regular;
            int type = BitConverter.ToInt32(status, ModeOffset) & TypeMask;
            return type switch { RegularType => Kind.Regular, DirectoryType => Kind.Directory, _ => Kind.Special };
        }
        catch (Exception problem) when (problem is DllNotFoundException or EntryPointNotFoundException)
        {
            return Kind.Regular; // a runtime without the PAL entry: File.Exists is all we know
        }
    }

    /// <summary>
    /// Throws when <paramref name="path"/> exists and is not a regular file: writing there would replace a directory,
    /// FIFO or device with a file.
    /// </summary>
    /// <exception cref="IOException">The path is a directory or a special file; the message names it.</exception>
    public static void RequireWritableTarget(string path)
    {
        switch (Of(path))
        {
            case Kind.Directory: throw new IOException($"'{path}' is a directory; name a file to write.");
            case Kind.Special: throw new IOException($"'{path}' is not a regular file (a FIFO, device or socket); name a regular file to write.");
        }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);
}
