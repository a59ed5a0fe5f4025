using System.Text.Json.Serialization;
using DataHub.Core.Governance;
using DataHub.Core.Marts;
using DataHub.Core.Rollup;

namespace DataHub.Core.Hub;

/// <summary>
/// The JSON metadata of the hub's manifests and version pointers, generated at build so a command does not build it by
/// reflection at start-up. Each document keeps its serializer options (names, indenting) where it is written; this only
/// supplies the metadata, so the bytes are the same.
/// </summary>
[JsonSerializable(typeof(MartManifest))]
[JsonSerializable(typeof(RollupManifest))]
[JsonSerializable(typeof(GovernanceManifest))]
[JsonSerializable(typeof(CurrentVersion))]
internal sealed partial class HubJson : JsonSerializerContext;
