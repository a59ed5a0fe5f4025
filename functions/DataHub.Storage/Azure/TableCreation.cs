using Azure;
using Azure.Data.Tables;

namespace DataHub.Storage.Azure;

/// <summary>Creates a table when it is missing, without the library's CreateIfNotExistsAsync.</summary>
/// <remarks>TableClient.CreateIfNotExistsAsync (and the service client's CreateTableIfNotExistsAsync) serialize their
/// request body by reflection (RequestContent.Create(object)), which the native (AOT) `datahub` does not have: `datahub
/// audit verify --azure` stopped on an InvalidOperationException. CreateAsync sends the library's generated body; a table
/// that exists already answers 409, as CreateIfNotExistsAsync itself treats it.</remarks>
internal static class TableCreation
{
    /// <summary>Creates <paramref name="table"/> unless it exists.</summary>
    public static async Task CreateIfMissingAsync(this TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await table.CreateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // It exists.
        }
    }
}
