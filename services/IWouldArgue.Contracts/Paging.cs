using System.Globalization;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Contracts;

/// <summary>
/// The paging every list RPC shares: a page size of 0 means 50, at most 200; the page token is the offset
/// this server gave out. Anything else is INVALID_ARGUMENT naming the field.
/// </summary>
public static class Paging
{
    /// <summary>The page size when the request asks for none.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page.</summary>
    public const int MaxPageSize = 200;

    /// <summary>The page size asked for (0 means the default); INVALID_ARGUMENT outside 0..200.</summary>
    public static int PageSize(PageRequest? page)
    {
        var size = page?.PageSize ?? 0;
        if (size is < 0 or > MaxPageSize)
        {
            throw RpcErrors.InvalidArgument("page.page_size", $"must be between 0 and {MaxPageSize}.");
        }
        return size == 0 ? DefaultPageSize : size;
    }

    /// <summary>Where the page starts and how long it is; INVALID_ARGUMENT for a token this server did not give out.</summary>
    public static (int Offset, int Limit) Page(PageRequest? page)
    {
        var limit = PageSize(page);
        var token = page?.PageToken ?? "";
        var offset = 0;
        if (token.Length > 0 && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            throw RpcErrors.InvalidArgument("page.page_token", "is not a token this server gave out.");
        }
        return (offset, limit);
    }

    /// <summary>The page info for a query that asked for <paramref name="limit"/> + 1 rows and found <paramref name="found"/>.</summary>
    public static PageInfo Next(int offset, int limit, int found) =>
        new() { NextPageToken = found > limit ? (offset + limit).ToString(CultureInfo.InvariantCulture) : "" };
}
