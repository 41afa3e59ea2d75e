package jsiisynth

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/model"
)

// policies holds the IAM policies that add-ons document, verbatim but for
// the partition, with CloudFormation's ${...} placeholders:
//
//	aws-load-balancer-controller.json  kubernetes-sigs/aws-load-balancer-controller
//	                                   docs/install/iam_policy.json (2b150b97)
//	karpenter.json                     aws/karpenter-provider-aws getting-started
//	                                   cloudformation.yaml (8b5313ca): the node
//	                                   lifecycle, IAM integration, EKS integration,
//	                                   interruption and resource discovery policies
//
//go:embed policies/*.json
var policies embed.FS

func defineAddons(st awscdk.Stack, s cdk.AddonsSpec) {
	gens := []cdk.IssuerParameters{s.Issuer}
	for _, r := range s.Roles {
		if r.AWS == model.KarpenterAddon {
			karpenterNodes(st, s, r)
			karpenterQueue(st, r.Queue)
		}
		awsiam.NewCfnRole(st, str("Role-"+r.Addon), &awsiam.CfnRoleProps{
			RoleName:                 str(r.Name),
			Description:              str(r.Description),
			AssumeRolePolicyDocument: irsaTrust(st, []string{r.Subject}, gens),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName:     str(r.Addon),
				PolicyDocument: addonPolicy(st, r, s.ClusterName),
			}},
		})
	}
}

// karpenterNodes adds the role of the nodes Karpenter starts, with the
// managed policies its getting-started template gives them, and the
// access entry that lets them join the generation.
func karpenterNodes(st awscdk.Stack, s cdk.AddonsSpec, r cdk.AddonRole) {
	var managed []any
	for _, name := range []string{"AmazonEKS_CNI_Policy", "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"} {
		managed = append(managed, str(fmt.Sprintf("arn:%s:iam::aws:policy/%s", *st.Partition(), name)))
	}
	role := awsiam.NewCfnRole(st, str("KarpenterNodeRole"), &awsiam.CfnRoleProps{
		RoleName:    str(r.NodeRole),
		Description: str(fmt.Sprintf("platformc: nodes that Karpenter starts for EKS cluster %s", s.ClusterName)),
		AssumeRolePolicyDocument: cdk.PolicyDocument(obj{
			"Effect":    "Allow",
			"Principal": obj{"Service": "ec2.amazonaws.com"},
			"Action":    "sts:AssumeRole",
		}),
		ManagedPolicyArns: &managed,
	})
	awseksv2.NewCfnAccessEntry(st, str("KarpenterNodeAccess"), &awseksv2.CfnAccessEntryProps{
		ClusterName:  str(s.ClusterName),
		PrincipalArn: role.AttrArn(),
		Type:         str("EC2_LINUX"),
	})
}

// karpenterQueue adds the SQS queue through which Karpenter learns of
// spot interruptions, rebalance recommendations, scheduled maintenance and
// instance state changes, as Karpenter's getting-started template makes
// it: events from EventBridge only, over TLS only, kept 5 minutes.
func karpenterQueue(st awscdk.Stack, name string) {
	queue := awssqs.NewCfnQueue(st, str("KarpenterInterruptionQueue"), &awssqs.CfnQueueProps{
		QueueName:              str(name),
		MessageRetentionPeriod: num(300),
		SqsManagedSseEnabled:   true,
	})
	awssqs.NewCfnQueuePolicy(st, str("KarpenterInterruptionQueuePolicy"), &awssqs.CfnQueuePolicyProps{
		Queues: &[]*string{queue.Ref()},
		PolicyDocument: cdk.PolicyDocument(
			obj{
				"Effect":    "Allow",
				"Principal": obj{"Service": []string{"events.amazonaws.com", "sqs.amazonaws.com"}},
				"Action":    "sqs:SendMessage",
				"Resource":  queue.AttrArn(),
			},
			obj{
				"Sid":       "DenyHTTP",
				"Effect":    "Deny",
				"Principal": "*",
				"Action":    "sqs:*",
				"Resource":  queue.AttrArn(),
				"Condition": obj{"Bool": obj{"aws:SecureTransport": false}},
			},
		),
	})
	for _, rule := range []struct{ id, source, detail string }{
		{"ScheduledChangeRule", "aws.health", "AWS Health Event"},
		{"SpotInterruptionRule", "aws.ec2", "EC2 Spot Instance Interruption Warning"},
		{"RebalanceRule", "aws.ec2", "EC2 Instance Rebalance Recommendation"},
		{"InstanceStateChangeRule", "aws.ec2", "EC2 Instance State-change Notification"},
	} {
		awsevents.NewCfnRule(st, str(rule.id), &awsevents.CfnRuleProps{
			EventPattern: obj{"source": []string{rule.source}, "detail-type": []string{rule.detail}},
			Targets:      &[]any{&awsevents.CfnRule_TargetProperty{Id: str("KarpenterInterruptionQueueTarget"), Arn: queue.AttrArn()}},
		})
	}
}

// policy is the role's permissions policy on the named EKS cluster.
func addonPolicy(st awscdk.Stack, r cdk.AddonRole, cluster string) any {
	partition, region, account := *st.Partition(), *st.Region(), *st.Account()
	switch r.AWS {
	case model.ExternalDNS:
		// docs/tutorials/aws.md of kubernetes-sigs/external-dns, with
		// changes limited to the generation's own names (and the TXT
		// records of its registry, "cname-<name>", beside them): the
		// tenants' hosts and every other name of the zone are written by
		// the DNS stacks only. The condition key names the records, which
		// is narrower than the zone, and needs no zone id at synthesis.
		change := allow([]string{"route53:ChangeResourceRecordSets"}, fmt.Sprintf("arn:%s:route53:::hostedzone/*", partition))
		change["Condition"] = obj{"ForAllValues:StringLike": obj{"route53:ChangeResourceRecordSetsNormalizedRecordNames": []string{"*." + r.Domain}}}
		return cdk.PolicyDocument(
			change,
			allow([]string{"route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResources"}, "*"),
		)
	case model.CloudWatchLogs:
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, r.LogGroup)
		return cdk.PolicyDocument(
			allow([]string{"logs:CreateLogGroup", "logs:PutRetentionPolicy"}, group+":*"),
			allow([]string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, group+":log-stream:*"),
		)
	}
	text := embedded(r.AWS + ".json")
	text = strings.NewReplacer(
		"${AWS::Partition}", partition,
		"${AWS::Region}", region,
		"${AWS::AccountId}", account,
		"${ClusterName}", cluster,
		"${KarpenterNodeRole.Arn}", fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, r.NodeRole),
		"${KarpenterInterruptionQueue.Arn}", fmt.Sprintf("arn:%s:sqs:%s:%s:%s", partition, region, account, r.Queue),
	).Replace(text)
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		panic(fmt.Sprintf("policies/%s.json: %v", r.AWS, err)) // embedded, checked by tests
	}
	return doc
}

func embedded(name string) string {
	data, err := policies.ReadFile("policies/" + name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(data)
}
