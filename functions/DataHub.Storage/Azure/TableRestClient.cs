using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DataHub.Storage.Azure;

/// <summary>One Table storage entity: its keys, its ETag when read, and typed properties (string, bool, int, long, double, DateTimeOffset).</summary>
internal sealed record TableEntity(string PartitionKey, string RowKey, IReadOnlyDictionary<string, object?> Properties, string? ETag = null)
{
    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v as string : null;

    public long GetInt64(string name) => Properties.TryGetValue(name, out var v) ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
}

/// <summary>One operation of an entity group transaction: insert when <paramref name="IfMatch"/> is null, else replace if the ETag matches ("*" = any).</summary>
internal sealed record TableBatchOperation(TableEntity Entity, string? IfMatch);

/// <summary>What a conditional table write did.</summary>
internal enum TableWrite
{
    /// <summary>Written.</summary>
    Ok,

    /// <summary>Insert found an entity with the same keys.</summary>
    Conflict,

    /// <summary>If-Match found a different ETag.</summary>
    ConditionFailed,

    /// <summary>No such entity to update.</summary>
    NotFound,
}

/// <summary>The Table service REST operations the hub uses (JSON, OData minimal metadata), on an Azure.Core pipeline.</summary>
internal sealed class TableRestClient(StorageAccount account, StorageClientOptions options)
{
    private readonly HttpPipeline _pipeline = StoragePipeline.Create(account, options, table: true);

    /// <summary>Creates the table; an existing one is fine.</summary>
    public async Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Post, "Tables");
        SetJson(message, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = table }));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status is not (201 or 204 or 409))
        {
            throw Failure(message.Response, "create table", table);
        }
    }

    /// <summary>Inserts the entity; <see cref="TableWrite.Conflict"/> when one with the same keys exists (an atomic claim).</summary>
    public async Task<(TableWrite Result, string? ETag)> InsertAsync(string table, TableEntity entity, CancellationToken cancellationToken)
    {
        using var message = await SendCreatingTableAsync(table, () =>
        {
            var message = Message(RequestMethod.Post, Escape(table));
            SetJson(message, Serialize(entity));
            return message;
        }, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            201 or 204 => (TableWrite.Ok, ETag(message.Response)),
            409 => (TableWrite.Conflict, null),
            _ => throw Failure(message.Response, "insert into", table),
        };
    }

    /// <summary>Replaces (or with <paramref name="merge"/>, merges into) the entity if its ETag is <paramref name="ifMatch"/> ("*" = any).</summary>
    public async Task<(TableWrite Result, string? ETag)> UpdateAsync(string table, TableEntity entity, string ifMatch, bool merge, CancellationToken cancellationToken)
    {
        using var message = Message(merge ? new RequestMethod("MERGE") : RequestMethod.Put, EntityPath(table, entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch);
        SetJson(message, Serialize(entity));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            204 => (TableWrite.Ok, ETag(message.Response)),
            404 => (TableWrite.NotFound, null),
            409 or 412 => (TableWrite.ConditionFailed, null),
            _ => throw Failure(message.Response, "update", table),
        };
    }

    /// <summary>Inserts or replaces the entity, whatever is there.</summary>
    public async Task<string?> UpsertAsync(string table, TableEntity entity, CancellationToken cancellationToken)
    {
        using var message = await SendCreatingTableAsync(table, () =>
        {
            var message = Message(RequestMethod.Put, EntityPath(table, entity.PartitionKey, entity.RowKey));
            SetJson(message, Serialize(entity));
            return message;
        }, cancellationToken).ConfigureAwait(false);
        return message.Response.Status == 204 ? ETag(message.Response) : throw Failure(message.Response, "upsert into", table);
    }

    /// <summary>The entity with these keys, or null.</summary>
    public async Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Get, EntityPath(table, partitionKey, rowKey));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404)
        {
            return null;
        }

        if (message.Response.Status != 200)
        {
            throw Failure(message.Response, "read from", table);
        }

        using var doc = JsonDocument.Parse(message.Response.Content.ToMemory());
        var entity = Deserialize(doc.RootElement);
        return entity with { ETag = entity.ETag ?? ETag(message.Response) };
    }

    /// <summary>Deletes the entity if its ETag is <paramref name="ifMatch"/> ("*" = any).</summary>
    public async Task<TableWrite> DeleteAsync(string table, string partitionKey, string rowKey, string ifMatch, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Delete, EntityPath(table, partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            204 => TableWrite.Ok,
            404 => TableWrite.NotFound,
            412 => TableWrite.ConditionFailed,
            _ => throw Failure(message.Response, "delete from", table),
        };
    }

    /// <summary>Every entity of a partition in row-key order, following the x-ms-continuation headers page by page.</summary>
    public async IAsyncEnumerable<TableEntity> QueryPartitionAsync(string table, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? nextPartition = null, nextRow = null;
        do
        {
            using var message = Message(RequestMethod.Get, Escape(table) + "()");
            message.Request.Uri.AppendQuery("$filter", $"PartitionKey eq '{partitionKey.Replace("'", "''", StringComparison.Ordinal)}'");
            message.Request.Uri.AppendQuery("$top", options.PageSize.ToString(CultureInfo.InvariantCulture));
            if (nextPartition is not null)
            {
                message.Request.Uri.AppendQuery("NextPartitionKey", nextPartition);
            }

            if (nextRow is not null)
            {
                message.Request.Uri.AppendQuery("NextRowKey", nextRow);
            }

            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (message.Response.Status == 404)
            {
                yield break; // No table yet: nothing in it.
            }

            if (message.Response.Status != 200)
            {
                throw Failure(message.Response, "query", table);
            }

            var page = new List<TableEntity>();
            using (var doc = JsonDocument.Parse(message.Response.Content.ToMemory()))
            {
                foreach (var item in doc.RootElement.GetProperty("value").EnumerateArray())
                {
                    page.Add(Deserialize(item));
                }
            }

            nextPartition = message.Response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var np) ? np : null;
            nextRow = message.Response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nr) ? nr : null;
            foreach (var entity in page)
            {
                yield return entity;
            }
        }
        while (nextPartition is not null);
    }

    /// <summary>
    /// Runs the operations as one entity group transaction (all in one partition): either all happen or none.
    /// Conflict or ConditionFailed names why the group was refused.
    /// </summary>
    public async Task<TableWrite> ExecuteBatchAsync(string table, IReadOnlyList<TableBatchOperation> operations, CancellationToken cancellationToken)
    {
        var batch = "batch_" + Guid.NewGuid().ToString("N");
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var body = new System.Text.StringBuilder();
        body.Append("--").Append(batch).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        foreach (var operation in operations)
        {
            var insert = operation.IfMatch is null;
            var url = account.TableEndpoint.AbsoluteUri + (insert ? Escape(table) : EntityPath(table, operation.Entity.PartitionKey, operation.Entity.RowKey));
            body.Append("--").Append(changeset).Append("\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .Append(insert ? "POST " : "PUT ").Append(url).Append(" HTTP/1.1\r\n")
                .Append("Content-Type: application/json\r\nAccept: application/json;odata=minimalmetadata\r\n")
                .Append("Prefer: return-no-content\r\nDataServiceVersion: 3.0\r\n");
            if (!insert)
            {
                body.Append("If-Match: ").Append(operation.IfMatch).Append("\r\n");
            }

            body.Append("\r\n").Append(System.Text.Encoding.UTF8.GetString(Serialize(operation.Entity))).Append("\r\n");
        }

        body.Append("--").Append(changeset).Append("--\r\n--").Append(batch).Append("--\r\n");
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.ToString());

        using var message = await SendCreatingTableAsync(table, () =>
        {
            var message = Message(RequestMethod.Post, "$batch");
            message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batch);
            message.Request.Content = RequestContent.Create(bytes);
            return message;
        }, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 202)
        {
            throw Failure(message.Response, "run a batch on", table);
        }

        // Each inner response starts with its status line; a refused group carries one failing status.
        var text = message.Response.Content.ToString();
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text, @"HTTP/1\.1 (\d{3})"))
        {
            var status = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            switch (status)
            {
                case < 300:
                    continue;
                case 409:
                    return TableWrite.Conflict;
                case 412:
                    return TableWrite.ConditionFailed;
                case 404:
                    return TableWrite.NotFound;
                default:
                    throw new RequestFailedException(status, $"Table storage refused a batch on '{table}': HTTP {status}.");
            }
        }

        return TableWrite.Ok;
    }

    private async Task<HttpMessage> SendCreatingTableAsync(string table, Func<HttpMessage> create, CancellationToken cancellationToken)
    {
        var message = create();
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 404)
        {
            return message;
        }

        // A fresh account (Azurite) has no tables: create it and try once more.
        message.Dispose();
        await CreateTableIfNotExistsAsync(table, cancellationToken).ConfigureAwait(false);
        message = create();
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message;
    }

    private HttpMessage Message(RequestMethod method, string escapedPath)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(account.TableEndpoint);
        message.Request.Uri.AppendPath(escapedPath, escape: false);
        message.Request.Headers.SetValue("Accept", "application/json;odata=minimalmetadata");
        message.Request.Headers.SetValue("DataServiceVersion", "3.0");
        message.Request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        return message;
    }

    // Content-Type only with a body: the transport drops it otherwise, and a signed header the service never sees fails the signature.
    private static void SetJson(HttpMessage message, byte[] json)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(json);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string EntityPath(string table, string partitionKey, string rowKey) =>
        $"{Escape(table)}(PartitionKey='{Escape(partitionKey.Replace("'", "''", StringComparison.Ordinal))}',RowKey='{Escape(rowKey.Replace("'", "''", StringComparison.Ordinal))}')";

    private static string? ETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var value) ? value : null;

    private static RequestFailedException Failure(Response response, string action, string table)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var c) ? c : "unknown";
        return new RequestFailedException(response.Status, $"Table storage could not {action} '{table}': HTTP {response.Status} ({code}).", code, null);
    }

    private static byte[] Serialize(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", entity.PartitionKey);
            json.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity.Properties)
            {
                switch (value)
                {
                    case null:
                        break; // Tables have no nulls: an absent property reads back as null.
                    case string s:
                        json.WriteString(name, s);
                        break;
                    case bool b:
                        json.WriteBoolean(name, b);
                        break;
                    case int i:
                        json.WriteNumber(name, i);
                        break;
                    case long l:
                        json.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                        json.WriteString(name + "@odata.type", "Edm.Int64");
                        break;
                    case double d:
                        json.WriteNumber(name, d);
                        json.WriteString(name + "@odata.type", "Edm.Double");
                        break;
                    case DateTimeOffset t:
                        json.WriteString(name, t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                        json.WriteString(name + "@odata.type", "Edm.DateTime");
                        break;
                    default:
                        throw new ArgumentException($"Table property '{name}' has unsupported type {value.GetType().Name}.", nameof(entity));
                }
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static TableEntity Deserialize(JsonElement item)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                types[property.Name[..^"@odata.type".Length]] = property.Value.GetString() ?? string.Empty;
            }
        }

        string partition = string.Empty, row = string.Empty;
        string? etag = null;
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                etag = property.Value.GetString();
            }
            else if (name == "PartitionKey")
            {
                partition = property.Value.GetString() ?? string.Empty;
            }
            else if (name == "RowKey")
            {
                row = property.Value.GetString() ?? string.Empty;
            }
            else if (name != "Timestamp" && !name.Contains('@', StringComparison.Ordinal) && !name.StartsWith("odata.", StringComparison.Ordinal))
            {
                properties[name] = ReadValue(property.Value, types.GetValueOrDefault(name));
            }
        }

        return new TableEntity(partition, row, properties, etag);
    }

    private static object? ReadValue(JsonElement value, string? type) => type switch
    {
        "Edm.Int64" => long.Parse(value.GetString() ?? "0", CultureInfo.InvariantCulture),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        "Edm.Double" => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => null,
        },
    };
}
