using System.Text.Json.Serialization;
using DataHub.Core.Audit;
using DataHub.Core.Receipts;
using DataHub.Storage.Local;

namespace DataHub.Storage;

/// <summary>
/// The JSON of the files the stores keep (key files, receipts, the audit head and anchors, metadata sidecars), generated
/// at build: a command then reads and writes them without building that metadata by reflection at start-up (about 35 ms
/// of a 1,000-row ingest), and the native (AOT) `datahub`, which has no reflection-based serializer, can too. Enums (a
/// receipt's state) are written by name. The bytes are the same as the reflection-based serializer's.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(LocalKeyFile.KeyFile))]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(AuditHead))]
[JsonSerializable(typeof(AuditAnchorRecord))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJson : JsonSerializerContext;

/// <summary>One anchored audit event as its anchor line or blob records it.</summary>
internal sealed record AuditAnchorRecord(long Seq, string Hash, string Kind, DateTimeOffset Time);
