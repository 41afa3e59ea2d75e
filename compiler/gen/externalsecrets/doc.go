// Package externalsecrets builds the External Secrets Operator objects
// (external-secrets.io/v1) of a tenant namespace:
//
//   - a ServiceAccount annotated with the IAM role (IRSA) that may read only
//     the tenant's AWS Secrets Manager secret for the cluster's environment;
//   - one SecretStore, authenticating as that service account, bound to
//     that one secret;
//   - one ExternalSecret per secret the tenant declares, selecting only the
//     listed keys (data[].remoteRef.key + property, never dataFrom).
//
// There is never a ClusterSecretStore: a store shared across namespaces
// would let one tenant read another's secret. The first two objects belong
// to the platform (a tenant's Argo CD project may not create them); the
// ExternalSecrets belong to the tenant. Names and ARNs come from
// naming.Secret, which the AWS side uses too.
package externalsecrets
