using System.Diagnostics;

namespace IWouldArgue.Testing;

/// <summary>
/// A small tmpfs mounted over a folder for a test, so that a store's disk fills up for real: <see cref="Fill"/> writes
/// a file until the last byte is taken, <see cref="Free"/> deletes it. Mounting needs root: as root directly, otherwise
/// through sudo without a password (as the test command's package installs do). Unmounted on dispose.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _folder;

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (mount's syntax, e.g. "4m") over <paramref name="folder"/>.</summary>
    public SmallDisk(string folder, string size = "4m")
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
    }

    private string Filler => Path.Combine(_folder, "filler");

    /// <summary>Takes every free byte.</summary>
    public void Fill()
    {
        var block = new byte[64 * 1024];
        using var filler = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                filler.Write(block);
            }
        }
        catch (IOException)
        {
            // Full. Top it off in small writes so no partial block's worth of room is left.
            try
            {
                while (true)
                {
                    filler.Write(block.AsSpan(0, 512));
                }
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Gives the space back.</summary>
    public void Free() => File.Delete(Filler);

    /// <summary>Unmounts it, after closing SQLite's pooled connections to files on it.</summary>
    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", "-l", _folder);
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = Environment.IsPrivilegedProcess ? new ProcessStartInfo(file, arguments) : new ProcessStartInfo("sudo", ["-n", file, .. arguments]);
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error} (this test needs root or password-less sudo, as the test command's package installs do)");
        }
    }
}
