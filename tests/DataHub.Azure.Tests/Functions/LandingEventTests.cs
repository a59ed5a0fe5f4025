using DataHub.Functions;

namespace DataHub.Azure.Tests.Functions;

/// <summary>What IngestExtract makes of a queued message that is not an Event Grid BlobCreated event, without a host.</summary>
public sealed class LandingEventTests
{
    [Fact]
    public void A_cloud_events_schema_message_is_refused_as_unreadable_without_naming_the_file()
    {
        // What the subscription would queue were its delivery schema CloudEventSchemaV1_0.
        const string cloudEvent = """
            {"specversion":"1.0","type":"Microsoft.Storage.BlobCreated","id":"1","time":"2026-12-01T00:00:00Z",
             "source":"/subscriptions/0/resourceGroups/datahub/providers/Microsoft.Storage/storageAccounts/data",
             "subject":"/blobServices/default/containers/landing-police/blobs/feed/Zebedee Quillfeather.csv",
             "data":{"api":"SftpCommit","eTag":"0x1","url":"https://data.blob.core.windows.net/landing-police/feed/Zebedee Quillfeather.csv"}}
            """;

        FluentActions.Invoking(() => IngestExtractFunction.Landed(cloudEvent))
            .Should().Throw<UnreadableLandingEventException>().Which.Message.Should().NotContain("Zebedee").And.NotContain("Quillfeather");
    }
}
