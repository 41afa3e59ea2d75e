// Package cfn is a small CloudFormation stand-in: it deploys the stacks of
// a CDK cloud assembly (platformc's out/cdk) into a fakeaws.Cloud, so that
// the end-to-end test's AWS state is the one the synthesised templates
// describe.
//
// # What is emulated
//
//   - The cloud assembly: manifest.json's aws:cloudformation:stack
//     artifacts, their environment aws://ACCOUNT/REGION, templateFile and
//     dependencies. Stacks deploy in dependency order (ties by name), a
//     named stack with the stacks it depends on, as "cdk deploy" does.
//     Before deploying, CheckDependencies looks for a stack that uses an SSM
//     parameter, export, IAM role or EKS cluster another stack creates under
//     a literal name without depending on it (or two stacks creating the
//     same), and Deploy refuses such an assembly: that is a platformc defect.
//   - Templates: Parameters (String, Number, lists, and
//     AWS::SSM::Parameter::Value<...> read from the fake SSM of the stack's
//     account and region at deploy time: a missing one fails the deployment
//     as CloudFormation does; CDK's BootstrapVersion reads
//     /cdk-bootstrap/hnb659fds/version, which Bootstrap writes), Mappings,
//     Conditions, Resources (DependsOn, Condition, DeletionPolicy,
//     UpdateReplacePolicy) and Outputs with exports. Rules are skipped (CDK
//     writes only CheckBootstrapVersion).
//   - Intrinsics: Ref (parameters, resources and AWS::Partition, AccountId,
//     Region, URLSuffix, StackName, StackId, NoValue, NotificationARNs),
//     Fn::GetAtt, Fn::Join, Fn::Sub (both forms, ${!literal}), Fn::Select,
//     Fn::Split, Fn::ImportValue (exports of the same account and region),
//     Fn::GetAZs, Fn::Base64, Fn::FindInMap, Fn::If, Fn::Equals, Fn::Not,
//     Fn::And, Fn::Or. Others are refused by name.
//   - Updates: a stack deployed before is diffed against the resolved
//     properties deployed then. Unchanged resources are left alone; changed
//     ones are updated in place or, when a name changes, replaced (created,
//     then the old one deleted, unless UpdateReplacePolicy is Retain);
//     resources gone from the template are deleted unless DeletionPolicy is
//     Retain. An export another stack imports cannot change or go, and its
//     stack cannot be destroyed, as in CloudFormation.
//   - Resources: AWS::IAM::Role (Ref: name, generated when absent; Arn,
//     RoleId), AWS::IAM::OIDCProvider (Ref: ARN; Url is the issuer),
//     AWS::SSM::Parameter (String; Ref: name), AWS::SecretsManager::Secret
//     (Ref: ARN; created with SecretString or "{}", its value never changed
//     by an update: put values after deploying, with
//     Cloud.PutSecretValue), AWS::EKS::Cluster (Clusters.Create, and the
//     cluster and its issuer keys recorded in the cloud; Ref: name; Arn,
//     Endpoint, CertificateAuthorityData, OpenIdConnectIssuerUrl,
//     ClusterSecurityGroupId; not recreated while Name and Version stay),
//     AWS::EKS::AccessEntry (the cluster and the role must exist, as EKS
//     checks). Creating one whose name is taken fails as CloudFormation
//     does. Properties a handler does not understand are refused.
//
// # What is not emulated
//
// Every other resource type is a placeholder: it does nothing, its Ref is
// a stable fake id (vpc-..., subnet-..., a queue URL, ...) and its
// attributes stable fake strings (Arn is an ARN of the right service);
// Report lists them. There is no rollback: a failed stack keeps what was
// done (status CREATE_FAILED or UPDATE_FAILED) and the next Deploy or
// Destroy continues from there. No change sets, stack policies, parameter
// overrides, nested stacks, transforms, custom resources, drift, or
// concurrency between stacks. An EKS version change makes the harness
// delete and create the cluster again under the same name (for EKS's
// in-place upgrade), keeping its access entries.
package cfn
