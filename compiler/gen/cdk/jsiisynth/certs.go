package jsiisynth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func defineCerts(st awscdk.Stack, s cdk.CertsSpec) {
	for _, z := range s.Zones {
		zoneID := awsssm.StringParameter_ValueForStringParameter(st, str(z.ZoneID), nil)
		for i, names := range z.Names {
			var validation []any
			for _, n := range names {
				validation = append(validation, &awscertificatemanager.CfnCertificate_DomainValidationOptionProperty{
					DomainName:   str(n),
					HostedZoneId: zoneID,
				})
			}
			props := &awscertificatemanager.CfnCertificateProps{
				DomainName:              str(names[0]),
				ValidationMethod:        str("DNS"),
				DomainValidationOptions: &validation,
				Tags:                    &[]*awscdk.CfnTag{{Key: str(cdk.ZoneTag), Value: str(z.Zone)}},
			}
			if len(names) > 1 {
				props.SubjectAlternativeNames = strs(names[1:])
			}
			awscertificatemanager.NewCfnCertificate(st, str(fmt.Sprintf("Certificate-%s-%d", z.Zone, i)), props)
		}
	}
}
