// Package fakeaws is an in-process fake of the AWS APIs that External
// Secrets and Argo CD call in the end-to-end test, with a real IAM policy
// check, and of the token webhook with which EKS authenticates Argo CD.
//
// # Serving
//
// Cloud.Handler serves everything on one HTTPS listener (the harness gives
// it a pki certificate for 127.0.0.1, sts.amazonaws.com and
// *.amazonaws.com). Requests are routed by the service of their SigV4
// credential scope (Authorization header or X-Amz-Credential), whatever
// their Host header, so the same listener answers External Secrets (with
// AWS_STS_ENDPOINT, AWS_SSM_ENDPOINT and AWS_SECRETSMANAGER_ENDPOINT set to
// its URL) and aws-sdk-go v1 clients that reach sts.amazonaws.com through
// an HTTPS proxy. Unsigned requests go by X-Amz-Target, else to STS.
//
// The token webhook of EKS cluster C in account A and region R is served at
// WebhookPath(A, R, C) = /eks/authenticate/A/R/C; WebhookConfig writes the
// file for kube-apiserver's --authentication-token-webhook-config-file
// (with --authentication-token-webhook-version=v1).
//
// # What is emulated
//
//   - STS (awsQuery, version 2011-06-15, POST form or GET query, XML answers
//     and errors as real STS): AssumeRoleWithWebIdentity (unsigned; the JWT
//     must verify with a key of its issuer set by SetIssuerKeys, RS256,
//     RS384, RS512, PS256, ES256 or ES384; exp and nbf are checked; iss must
//     be an OIDC provider of the role's account and aud one of its client
//     IDs; the trust policy must allow that provider with the condition keys
//     <issuer>:sub and <issuer>:aud), AssumeRole (the caller's session must
//     be allowed by the role's trust policy, with aws:PrincipalArn its role
//     ARN; unless the trust policy names the caller's role or session itself
//     in the same account, the caller's identity policies must allow
//     sts:AssumeRole on the role too, as IAM requires across accounts), and
//     GetCallerIdentity (header-signed or presigned). Sessions last
//     DurationSeconds (900 to 3600, default 3600) and need their session
//     token.
//   - SSM (awsJson1_1): GetParameter (name or ARN, :version selector of the
//     current version), GetParameters, ListTagsForResource (no tags).
//     String parameters only; WithDecryption is accepted and changes nothing.
//   - Secrets Manager (awsJson1_1): GetSecretValue (AWSCURRENT only) and
//     DescribeSecret, by name, ARN or partial ARN. Secret ARNs end in a
//     six-character suffix derived from the name, the same in every run.
//   - SigV4 on every signed request, header or presigned, recomputed with
//     aws-sdk-go-v2's signer over what the client signed: unknown keys,
//     wrong session tokens, expired sessions, requests signed more than 15
//     minutes off and bad signatures are refused with the error codes the
//     SDKs decode (InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken
//     for STS; UnrecognizedClientException, InvalidSignatureException,
//     ExpiredTokenException for JSON services).
//   - IAM, deny by default: the inline policies of the caller's role, read
//     live; Allow and Deny (Deny wins); Action/NotAction (case-insensitive)
//     and Resource/NotResource (case-sensitive) as a string or a list, with
//     the wildcards * and ?; condition operators StringEquals, StringLike,
//     ArnEquals and ArnLike (several values: any; several keys and
//     operators: all; a missing key: no match). A request acts in the
//     account of the caller's role and the region of its credential scope;
//     resources of other accounts are refused (resource policies are not
//     emulated). A secret or parameter that does not exist is checked
//     against the ARN it would have, so a caller who may not read it gets
//     AccessDeniedException, not a not-found error.
//   - The EKS token webhook, as aws-iam-authenticator runs it in EKS: the
//     token is k8s-aws-v1.<base64url presigned URL>; the URL must be an STS
//     GetCallerIdentity for sts.amazonaws.com, sts.<region>.amazonaws.com,
//     the host the webhook was reached at or a WithSTSHosts host, with only
//     the SigV4 query parameters and x-k8s-aws-id among its signed headers.
//     It is verified as STS would, with x-k8s-aws-id set to this cluster's
//     name (so a token minted for another cluster fails), and expires 15
//     minutes after its X-Amz-Date (X-Amz-Expires is ignored, as STS does:
//     argocd-k8s-auth sends 0). The caller's role must have an access entry
//     on the cluster. The user is the session ARN (or the entry's username)
//     with the entry's kubernetesGroups; EC2_LINUX entries map to
//     system:nodes.
//
// # What is not emulated
//
//   - EKS authorizes through access policies with its own authorizer. The
//     fake substitutes one mapping: AmazonEKSClusterAdminPolicy associated
//     with cluster scope adds the group system:masters. Other access
//     policies, and that policy with namespace scope, grant nothing; give
//     such entries kubernetesGroups bound by RBAC instead.
//   - Managed policies (stored, never evaluated: they grant nothing),
//     permission boundaries, SCPs, session policies and session tags
//     (refused), resource-based policies, other condition operators and
//     IfExists/ForAnyValue forms (a statement that uses one fails closed: an
//     Allow does not apply, a Deny does, and the refusal says so), policy
//     variables, role paths, NotPrincipal (fails closed).
//   - Writes through the APIs (PutParameter, PutSecretValue, ...): the
//     harness and package cfn write with Cloud's methods. Secret versions
//     other than AWSCURRENT, parameter history and labels, KMS, pagination.
//   - STS regional/global distinctions, MFA, source identity, ExternalId
//     (passed to conditions as sts:ExternalId, never required).
//
// Every answer is logged (Calls, Refusals, RefusalReport) with the
// caller's session and role ARN, the action, the resource and, for a
// refusal, why; print RefusalReport when a test fails.
package fakeaws
