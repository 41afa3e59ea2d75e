package model

// What platformc wires on AWS for an add-on (Addon.AWS).
const (
	AWSLoadBalancerController = "aws-load-balancer-controller"
	ExternalDNS               = "external-dns"
	KarpenterAddon            = "karpenter"
	CloudWatchLogs            = "cloudwatch-logs"
)
