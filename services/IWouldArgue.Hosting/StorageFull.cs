using Microsoft.Data.Sqlite;

namespace IWouldArgue.Hosting;

/// <summary>
/// Whether a failure is the storage being full: the database's disk (SQLite's SQLITE_FULL) or a file's (ENOSPC). Such a
/// failure is no bug to report with a reference: nothing was written, reads still work, and the same call succeeds once
/// an operator frees space, without a restart.
/// </summary>
internal static class StorageFull
{
    private const int SqliteFull = 13;

    // IOException.HResult is the errno on Unix (ENOSPC, EDQUOT) and an HRESULT on Windows (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).
    private static readonly int[] FullDiskResults = [28, 122, unchecked((int)0x80070070), unchecked((int)0x80070027)];

    public static bool Caused(Exception e)
    {
        for (var failure = e; failure is not null; failure = failure.InnerException)
        {
            if (failure is SqliteException { SqliteErrorCode: SqliteFull } || (failure is IOException io && FullDiskResults.Contains(io.HResult)))
            {
                return true;
            }
        }
        return false;
    }
}
