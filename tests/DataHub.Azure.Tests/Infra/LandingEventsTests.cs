using System.Text.Json;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// How a partner's upload reaches IngestExtract in the compiled template and host.json: the Event Grid subscription, the
/// identity it delivers with, the schema it writes (the only one the function reads) and the queue trigger's decoding and
/// retries. None of it runs here, so a change that would send every event to the poison queue fails here instead.
/// </summary>
public sealed class LandingEventsTests(MainTemplate template) : IClassFixture<MainTemplate>
{
    private const string QueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";

    [Fact]
    public void Every_blob_created_in_a_partner_container_is_queued_in_the_event_grid_schema_with_the_topics_own_identity()
    {
        var subscription = template.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions").Should().ContainSingle().Subject.GetProperty("properties");

        subscription.GetProperty("eventDeliverySchema").GetString().Should().Be("EventGridSchema", "IngestExtract parses Event Grid events; a CloudEvent is refused as unreadable and left to the sweep");
        var delivery = subscription.GetProperty("deliveryWithResourceIdentity");
        delivery.GetProperty("identity").GetProperty("type").GetString().Should().Be("SystemAssigned", "the account takes no shared key, so Event Grid writes with the topic's identity");
        var destination = delivery.GetProperty("destination");
        destination.GetProperty("endpointType").GetString().Should().Be("StorageQueue");
        destination.GetProperty("properties").GetProperty("resourceId").GetString().Should().Be(MainTemplate.ResourceId("Microsoft.Storage/storageAccounts", "variables('dataAccountName')"));
        template.Variable("landingEventsQueue").GetString().Should().Be(AzureNames.LandingEventsQueue);
        destination.GetProperty("properties").GetProperty("queueName").GetString().Should().Be("[variables('landingEventsQueue')]");

        var filter = subscription.GetProperty("filter");
        filter.GetProperty("includedEventTypes").EnumerateArray().Select(e => e.GetString()).Should().Equal("Microsoft.Storage.BlobCreated");
        filter.GetProperty("subjectBeginsWith").GetString().Should().Be($"/blobServices/default/containers/{LandingContainers.PartnerPrefix}");
        filter.GetProperty("advancedFilters").EnumerateArray().Should().ContainSingle(f => f.GetProperty("key").GetString() == "data.api")
            .Which.GetProperty("values").EnumerateArray().Select(v => v.GetString()).Should().Contain(["PutBlob", "PutBlockList", "FlushWithClose", "SftpCommit"], "a REST upload and an SFTP upload both end in one of these");
    }

    [Fact]
    public void The_topics_identity_may_send_messages_to_the_data_accounts_queues_and_the_subscription_waits_for_it()
    {
        var role = template.OfType("Microsoft.Authorization/roleAssignments")
            .Should().ContainSingle(r => r.GetProperty("properties").GetProperty("principalId").GetString()!.Contains("Microsoft.EventGrid/systemTopics", StringComparison.Ordinal)).Subject;
        role.GetProperty("scope").GetString().Should().Be(MainTemplate.ResourceId("Microsoft.Storage/storageAccounts", "variables('dataAccountName')"));
        role.GetProperty("properties").GetProperty("roleDefinitionId").GetString().Should().Contain("variables('roles').queueDataMessageSender");
        template.Variable("roles").GetProperty("queueDataMessageSender").GetString().Should().Be(QueueDataMessageSender, "Storage Queue Data Message Sender: add messages, nothing more");

        var subscription = template.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions").Single();
        subscription.GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()).Should()
            .Contain(d => d!.Contains("roleAssignments", StringComparison.Ordinal) && d.Contains("queueDataMessageSender", StringComparison.Ordinal), "the first events must not meet a topic with no right to write")
            .And.Contain(d => d!.Contains("queueServices/queues", StringComparison.Ordinal));
    }

    [Fact]
    public void The_queue_trigger_decodes_base64_as_event_grid_writes_and_gives_up_only_after_the_hubs_own_attempts()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");

        // Event Grid Base64-encodes what it puts on a storage queue; the extension decodes Base64 unless told "none".
        (queues.TryGetProperty("messageEncoding", out var encoding) ? encoding.GetString() : "base64").Should().BeEquivalentTo("base64");

        // The hub quarantines a file that keeps failing as poison, with its report, after DATAHUB_MAX_ATTEMPTS; the host
        // must still be delivering it then, or the message goes to landing-events-poison first and the file waits for the sweep.
        var attempts = template.Parameter("maxAttempts").GetProperty("defaultValue").GetInt32();
        queues.GetProperty("maxDequeueCount").GetInt32().Should().BeGreaterThan(attempts);
    }
}
