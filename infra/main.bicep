// DataHub in one resource group: the data storage account (hierarchical namespace, SFTP with one create-only local
// user per partner, confined to a landing container of its own), the Functions host's own storage, Key Vault (RBAC) for the
// pseudonymisation and audit keys, the Linux Function App running the .NET isolated worker (functions/DataHub.Functions)
// with a system-assigned identity, its role assignments, the Event Grid subscription that queues every BlobCreated in a
// partner's landing container for IngestExtract, and the platform
// audit trail: a Log Analytics workspace receiving the vault's AuditEvent log and the data account's blob and table logs.
// The audit anchors live in their own container under a WORM (time-based retention) policy.
// Every connection is identity-based: no account key is in an app setting or an output.
// Deploy steps: README.md ("Deploy to Azure") and infra/README.md. Names the code reads (app settings, containers, tables)
// and the generated functions.metadata are checked against this file by tests/DataHub.Azure.Tests (InfraNamesTests).

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Short lowercase prefix for resource names (3-11 letters/digits).')
@minLength(3)
@maxLength(11)
param prefix string = 'datahub'

@description('Partners that drop files over SFTP: the partner name of its protocol file (lower-case letters and digits joined by single hyphens, at most 55 characters: it names the container landing-{name}) and SSH public key. Each gets a container landing-{name} and a local user that may only create files in it.')
param partners array = [
  { name: 'csc', sshPublicKey: '' }
  { name: 'police', sshPublicKey: '' }
  { name: 'icb', sshPublicKey: '' }
  { name: 'substance-misuse', sshPublicKey: '' }
  { name: 'schools', sshPublicKey: '' }
  { name: 'da-programmes', sshPublicKey: '' }
  { name: 'mental-health', sshPublicKey: '' }
]

@description('App Service plan SKU for the Function App (Linux). P0v3 keeps timers reliable (always on).')
param planSku string = 'P0v3'

@description('Name of the Key Vault secret holding the base64 pseudonymisation key (create it after deployment: infra/README.md).')
param keySecretName string = 'datahub-pseudonymisation-key'

@description('Name of the Key Vault secret holding the base64 audit key that seals the audit chain (a secret of its own; create it after deployment: infra/README.md).')
param auditKeySecretName string = 'datahub-audit-key'

@description('Days each audit anchor stays immutable (the anchors container\'s WORM policy): at least as long as the audit trail must be kept (default seven years).')
@minValue(1)
param anchorRetentionDays int = 2557

@description('CRON (six fields) for RollupQuarter.')
param rollupSchedule string = '0 0 2 * * *'

@description('CRON (six fields) for EnforceRetention.')
param retentionSchedule string = '0 30 3 * * *'

@description('CRON (six fields) for SweepLanding, which hands files left in landing longer than a claim lease to ingest again.')
param sweepSchedule string = '0 */10 * * * *'

@description('Days a deleted blob (a landed file, an archived raw file, a mart) stays recoverable before it is gone for good. Every deletion the hub makes under an agreement\'s retention is final this many days later; keep it short (docs/runbook.md, retention).')
@minValue(1)
@maxValue(30)
param deletedBlobRetentionDays int = 7

@description('Failed attempts on one landed file before it is quarantined as poison.')
param maxAttempts int = 3

@description('Days the platform audit logs (storage reads, writes and deletes with the SFTP user or identity behind each; every Key Vault access) are kept in the Log Analytics workspace.')
@minValue(30)
@maxValue(730)
param auditLogRetentionDays int = 365

@description('Object ids (Microsoft Entra) of the people or groups who may query the platform audit logs (Log Analytics Reader on the workspace only): the governance officer and the operators. The storage logs name landed blobs, whose names a partner chose (docs/runbook.md).')
param auditLogReaderPrincipalIds array = []

var suffix = uniqueString(resourceGroup().id)
var dataAccountName = take('${prefix}data${suffix}', 24)
var hostAccountName = take('${prefix}host${suffix}', 24)
var vaultName = take('${prefix}-kv-${suffix}', 24)
var planName = '${prefix}-plan-${suffix}'
var appName = '${prefix}-func-${suffix}'
var topicName = '${prefix}-landing-events'
var workspaceName = '${prefix}-audit-${suffix}'

// The hub's containers and tables: the code's AzureNames.Containers / AzureNames.Tables must match. 'landing' holds the
// raw archive (landing/_processed/) and no partner may touch it; partners deliver into landing-{partner} (below).
var containerNames = [
  'landing'
  'quarantine'
  'secure'
  'published'
  'audit'
]
// The queue of landing events IngestExtract reads (AzureNames.LandingEventsQueue).
var landingEventsQueue = 'landing-events'
// Where the Functions host moves a landing event it gave up on (the queue's name and '-poison'); SweepLanding deletes
// each one whose file has left landing (AzureNames.LandingEventsPoisonQueue).
var landingEventsPoisonQueue = 'landing-events-poison'
var tableNames = [
  'audit'
  'receipts'
]

// Built-in role definition ids.
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  queueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893'
}

resource data 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: dataAccountName
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    isHnsEnabled: true
    isSftpEnabled: true
    isLocalUserEnabled: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // The app uses its managed identity; SFTP local users are unaffected.
    accessTier: 'Hot'
  }
}

// Blob versioning is not enabled, because it cannot be: accounts with a hierarchical namespace (which SFTP needs) do not
// support it. A landed file is protected from being overwritten instead: partners may only create files over SFTP
// (below), and the hub reads the version it claimed or, if that version was replaced, records it (docs/recovery.md,
// "A landed file overwritten"). Soft delete keeps a deleted blob recoverable for a short while, against a mistaken deletion.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: data
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: deletedBlobRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: deletedBlobRetentionDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for name in containerNames: {
  parent: blobService
  name: name
  properties: { publicAccess: 'None' }
}]

// One landing container per partner, the only place its SFTP user can write: the hub reads the partner of a delivery from
// the container it is in (functions/DataHub.Storage/Azure/LandingContainers.cs), never from a folder the uploader chose.
resource partnerContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for partner in partners: {
  parent: blobService
  name: 'landing-${partner.name}'
  properties: { publicAccess: 'None' }
}]

// The audit anchors: one create-only blob per anchored audit event, in a container whose time-based retention policy
// (WORM) lets nobody, the app's identity included, overwrite or delete them while the period runs. Rewriting or
// truncating the audit table therefore cannot remove the evidence of how far it reached. The policy is created unlocked;
// lock it once the deployment is checked (infra/README.md), after which it can only be extended.
resource anchorsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'anchors'
  properties: { publicAccess: 'None' }
}

resource anchorsWorm 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: anchorsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: anchorRetentionDays
    allowProtectedAppendWrites: false
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: data
  name: 'default'
}

resource landingEvents 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: landingEventsQueue
}

// The host would make it at its first poisoned message; made here, it is there for the sweep to read from the start.
resource landingEventsPoison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: landingEventsPoisonQueue
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: data
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

// One SFTP local user per partner, confined to its own container landing-{partner}: its only permission scope is that
// container, with 'c' (upload a file that does not exist yet). It cannot overwrite a file already landed (an upload to a
// taken name fails on the partner's side, so the earlier file is never lost), nor read, list or delete, and it has no
// permission at all on any other container: not another partner's, not 'landing' (the raw archive), not quarantine.
// So a file in landing-{partner} was uploaded by that partner's user (or by the app or an operator, whose requests the
// blob logs name). ACL authorization is off, so no ACL can ever give a partner more than 'c' on its container.
resource sftpUsers 'Microsoft.Storage/storageAccounts/localUsers@2023-05-01' = [for partner in partners: {
  parent: data
  name: replace(partner.name, '-', '')
  properties: {
    homeDirectory: 'landing-${partner.name}'
    permissionScopes: [
      {
        service: 'blob'
        resourceName: 'landing-${partner.name}'
        permissions: 'c'
      }
    ]
    allowAclAuthorization: false
    hasSharedKey: false
    hasSshPassword: false
    hasSshKey: !empty(partner.sshPublicKey)
    sshAuthorizedKeys: empty(partner.sshPublicKey) ? [] : [
      {
        description: '${partner.name} upload key'
        key: partner.sshPublicKey
      }
    ]
  }
  dependsOn: [partnerContainers]
}]

// The Functions host's own state (leases, timers, blob-trigger receipts) stays out of the data account.
resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: hostAccountName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

// The platform audit trail. Reading it takes a role on the workspace (given here only to auditLogReaderPrincipalIds, as
// Log Analytics Reader, or inherited from the resource group or subscription), never merely a role on the logged
// resources: the storage logs name landed blobs, whose names the partners chose. Shared-key (local) auth is off.
resource auditWorkspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: auditLogRetentionDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: false
      disableLocalAuth: true
    }
  }
}

resource auditReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in auditLogReaderPrincipalIds: {
  scope: auditWorkspace
  name: guid(auditWorkspace.id, principalId, roles.logAnalyticsReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.logAnalyticsReader)
    principalId: principalId
  }
}]

// Every access to the vault, the key secrets' reads included: who (the token's identity), when, from where, which secret
// and version. Key Vault never logs a secret's value. Resource-specific table: AZKVAuditLogs.
resource vaultAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'audit-to-workspace'
  properties: {
    workspaceId: auditWorkspace.id
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

// Blob reads, writes and deletes (table StorageBlobLogs), each with the requester: the SFTP uploads into landing (SftpCreate,
// SftpCommit) are on record apart from the folder they were put in.
resource blobAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: blobService
  name: 'audit-to-workspace'
  properties: {
    workspaceId: auditWorkspace.id
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

// Table reads, writes and deletes (StorageTableLogs): who touched the audit and receipts tables.
resource tableAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: tableService
  name: 'audit-to-workspace'
  properties: {
    workspaceId: auditWorkspace.id
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  kind: 'linux'
  sku: { name: planSku }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      // The app targets net10.0 (the current LTS release), and the isolated worker runs on the runtime the stack names,
      // so the stack is .NET 10 isolated: the same runtime the tests ran on.
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'AzureWebJobsStorage__accountName', value: hostStorage.name }
        { name: 'DATAHUB_STORAGE__blobServiceUri', value: data.properties.primaryEndpoints.blob }
        { name: 'DATAHUB_STORAGE__queueServiceUri', value: data.properties.primaryEndpoints.queue }
        { name: 'DATAHUB_STORAGE__tableServiceUri', value: data.properties.primaryEndpoints.table }
        { name: 'DATAHUB_KEYVAULT_URI', value: vault.properties.vaultUri }
        { name: 'DATAHUB_KEY_SECRET_NAME', value: keySecretName }
        { name: 'DATAHUB_AUDIT_KEY_SECRET_NAME', value: auditKeySecretName }
        { name: 'DATAHUB_ROLLUP_SCHEDULE', value: rollupSchedule }
        { name: 'DATAHUB_RETENTION_SCHEDULE', value: retentionSchedule }
        { name: 'DATAHUB_SWEEP_SCHEDULE', value: sweepSchedule }
        { name: 'DATAHUB_MAX_ATTEMPTS', value: string(maxAttempts) }
        { name: 'DATAHUB_PROTOCOLS', value: 'protocols' }
      ]
    }
  }
}

// The app's identity: read and write blobs and tables in the data account, read the two key secrets (pseudonymisation
// and audit). Blob Data Owner, as before, so the app may also create a partner's landing container it finds missing.
resource dataBlobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: data
  name: guid(data.id, app.id, roles.blobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource dataTableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: data
  name: guid(data.id, app.id, roles.tableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// IngestExtract reads the landing events queue, the queue extension moves a message it cannot process to
// landing-events-poison beside it, and SweepLanding reads and deletes messages there.
resource dataQueueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: data
  name: guid(data.id, app.id, roles.queueDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets User on the vault covers both key secrets, which are created after deployment (a secret-scoped
// assignment needs the secret to exist first).
resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The host's own storage (identity-based AzureWebJobsStorage needs blob owner, queue and table access).
resource hostBlobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hostStorage
  name: guid(hostStorage.id, app.id, roles.blobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource hostQueueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hostStorage
  name: guid(hostStorage.id, app.id, roles.queueDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource hostTableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hostStorage
  name: guid(hostStorage.id, app.id, roles.tableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// BlobCreated in any partner's landing container (REST uploads and SFTP commits) → the landing events queue → IngestExtract.
// One subscription on the account, filtered on the container name's prefix, covers every partner in `partners`, so a new
// partner needs no change to the app or to this subscription. The queue keeps an event until the app takes it (a
// webhook would need the app's system key, so a second deployment after the app is published). Events of the
// 'landing' container (the archive, and files left from before partner containers) are not queued: the sweep lists it.
resource topic 'Microsoft.EventGrid/systemTopics@2023-12-15-preview' = {
  name: topicName
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    source: data.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic's identity may add messages to the data account's queues, nothing more.
resource topicQueueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: data
  name: guid(data.id, topic.id, roles.queueDataMessageSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataMessageSender)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource landingSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2023-12-15-preview' = {
  parent: topic
  name: 'landing-to-queue'
  properties: {
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: data.id
          queueName: landingEventsQueue
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/landing-'
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: [
            'PutBlob'
            'PutBlockList'
            'FlushWithClose'
            'SftpCommit'
          ]
        }
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
  dependsOn: [landingEvents, topicQueueRole]
}

output functionAppName string = app.name
output dataAccountName string = data.name
output keyVaultName string = vault.name
output auditWorkspaceName string = auditWorkspace.name
output sftpHost string = '${data.name}.blob.${environment().suffixes.storage}'
