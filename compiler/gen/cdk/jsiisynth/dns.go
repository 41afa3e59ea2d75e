package jsiisynth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func defineDNS(st awscdk.Stack, s cdk.DNSSpec) {
	var zoneID *string
	if s.ZoneID != "" {
		zoneID = awsssm.StringParameter_ValueForStringParameter(st, str(s.ZoneID), nil)
	}
	for _, r := range s.Records {
		props := &awsroute53.CfnRecordSetProps{
			HostedZoneName: str(s.Zone + "."),
			Name:           str(r.Host + "."),
			SetIdentifier:  str(r.Generation),
			Weight:         num(r.Weight),
		}
		if r.Apex {
			props.Type = str("A")
			props.AliasTarget = &awsroute53.CfnRecordSet_AliasTargetProperty{
				DnsName:              str(r.Target + "."),
				HostedZoneId:         zoneID,
				EvaluateTargetHealth: true,
			}
		} else {
			props.Type = str("CNAME")
			props.Ttl = str(cdk.RecordTTL)
			props.ResourceRecords = strs([]string{r.Target})
		}
		awsroute53.NewCfnRecordSet(st, str(r.Host+"-"+r.Generation), props)
	}
}
