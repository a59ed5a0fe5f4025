using DataHub.Core.Ingestion;
using DataHub.Functions;

namespace DataHub.Azure.Tests.Functions;

/// <summary>The exception the Function App throws for a retry is logged by the Functions host: it names the file by its label only.</summary>
public sealed class IngestAttemptFailedExceptionTests
{
    [Fact]
    public void The_message_of_a_failed_attempt_names_the_file_by_its_label_never_its_name()
    {
        const string landed = "landing/police/police-da-incidents/Zebedee Quillfeather 02-03-1981.csv";
        var outcome = new IngestOutcome(IngestStatus.Failed, landed, "police", "police-da-incidents", Rule: "ingest.failed", Message: "IOException: the disk is full.");

        var message = new IngestAttemptFailedException(outcome).Message;

        message.Should().NotContain("Zebedee").And.NotContain("1981");
        message.Should().Contain(outcome.SafeLandingPath).And.Contain("ingest.failed").And.Contain("the disk is full");
    }
}
