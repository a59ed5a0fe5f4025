using System.Text.Json.Serialization;
using DataHub.Core.Governance;
using DataHub.Core.Marts;
using DataHub.Core.Rollup;

namespace DataHub.Core.Hub;

/// <summary>
/// The JSON of the hub's manifests and version pointers (snake_case names, indented), generated at build: a command does
/// not build it by reflection at start-up, and the native (AOT) `datahub`, which has no reflection-based serializer, can
/// read and write them. Every document is written through this context's type info (HubJson.Default.MartManifest ...).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(MartManifest))]
[JsonSerializable(typeof(RollupManifest))]
[JsonSerializable(typeof(GovernanceManifest))]
[JsonSerializable(typeof(CurrentVersion))]
[JsonSerializable(typeof(DataHub.Core.Retention.PendingDeletion))]
internal sealed partial class HubJson : JsonSerializerContext;
