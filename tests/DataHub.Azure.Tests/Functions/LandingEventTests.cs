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

    [Theory]
    [InlineData("Report?v2.csv")]
    [InlineData("Report #2.csv")]
    [InlineData("a?b#c.csv")]
    public void A_question_mark_or_hash_in_a_blob_name_keeps_the_whole_name_from_the_events_subject(string name)
    {
        // Event Grid writes the blob's url unescaped: a URI parser reads '?' as a query and '#' as a fragment.
        var message = $$$"""
            {"id":"1","eventType":"Microsoft.Storage.BlobCreated","dataVersion":"1","metadataVersion":"1","eventTime":"2026-12-01T00:00:00Z",
             "topic":"/subscriptions/0/resourceGroups/datahub/providers/Microsoft.Storage/storageAccounts/data",
             "subject":"/blobServices/default/containers/landing-police/blobs/police-da-incidents/{{{name}}}",
             "data":{"api":"PutBlob","eTag":"0x8DC1","contentType":"text/csv","contentLength":10,"blobType":"BlockBlob",
                     "url":"https://data.blob.core.windows.net/landing-police/police-da-incidents/{{{name}}}","sequencer":"1"}}
            """;

        var (path, eTag) = IngestExtractFunction.Landed(message);

        path.Should().Be($"landing/police/police-da-incidents/{name}");
        eTag.Should().NotBeNull();
    }

    [Fact]
    public void A_plain_blob_name_is_taken_from_the_url_as_before()
    {
        const string message = """
            {"id":"1","eventType":"Microsoft.Storage.BlobCreated","dataVersion":"1","metadataVersion":"1","eventTime":"2026-12-01T00:00:00Z",
             "topic":"/subscriptions/0/resourceGroups/datahub/providers/Microsoft.Storage/storageAccounts/data",
             "subject":"/blobServices/default/containers/landing-police/blobs/police-da-incidents/jan 2019.csv",
             "data":{"api":"PutBlob","eTag":"0x8DC1","contentType":"text/csv","contentLength":10,"blobType":"BlockBlob",
                     "url":"https://data.blob.core.windows.net/landing-police/police-da-incidents/jan%202019.csv","sequencer":"1"}}
            """;

        IngestExtractFunction.Landed(message).Path.Should().Be("landing/police/police-da-incidents/jan 2019.csv");
    }

    [Theory]
    [InlineData("123")]
    [InlineData("1.5")]
    [InlineData("\"x\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[]")]
    [InlineData("[null]")]
    [InlineData("[123]")]
    public void A_message_whose_json_is_no_event_object_is_refused_as_unreadable(string message)
    {
        FluentActions.Invoking(() => IngestExtractFunction.Landed(message)).Should().Throw<UnreadableLandingEventException>();
    }
}
