using DataHub.Testing;

namespace DataHub.Azure.Tests;

/// <summary>Test classes in this collection share one Azurite, started once.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name for <c>[Collection(AzuriteCollection.Name)]</c>.</summary>
    public const string Name = "Azurite";
}
