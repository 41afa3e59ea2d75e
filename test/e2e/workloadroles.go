package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// checkWorkloadRoles checks the IAM role of every workload with AWS
// access (issue 17), as AWS would use it: the role exists in the account
// of each environment the tenant runs in; a token of the workload's
// service account, from each of the tenant's generations there, assumes
// it through STS, and a token of another service account of the same
// namespace does not; its policies allow what each access level needs on
// the named resource, and neither more (a write to what it only reads,
// sending to what it consumes) nor another tenant's resource. It returns
// how many roles it checked.
func (w *world) checkWorkloadRoles(ctx context.Context, m *model.Platform) (int, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(w.ca.PEM)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	assume := func(gen, ns, sa, role string) error {
		cp := w.cluster(gen)
		if cp == nil {
			return fmt.Errorf("no cluster %s", gen)
		}
		tr, err := cp.Client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa, &authenticationv1.TokenRequest{
			Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"sts.amazonaws.com"}},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {role},
			"RoleSessionName": {"e2e"}, "WebIdentityToken": {tr.Status.Token}}
		resp, err := client.Post(w.awsURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("STS answered %s: %s", resp.Status, body)
		}
		return nil
	}
	other := "someone-else"
	for _, t := range m.Tenants {
		if t.Name != m.Tenants[0].Name {
			other = t.Name
			break
		}
	}
	var problems []string
	roles := 0
	for _, t := range m.Tenants {
		for _, wl := range t.Workloads() {
			if len(wl.AWS) == 0 {
				continue
			}
			for _, env := range tenantEnvironments(m, t) {
				e := m.Config.Environments[env]
				name, arn := naming.WorkloadRole(m, t, wl, env)
				if _, ok := w.aws.Role(e.Account, name); !ok {
					problems = append(problems, fmt.Sprintf("%s/%s: no IAM role %s in %s", t.Name, wl.Name, name, e.Account))
					continue
				}
				roles++
				for _, ref := range t.Clusters {
					c := m.Cluster(ref.Name)
					if c.Environment != env {
						continue
					}
					for _, g := range c.Serving() {
						if err := assume(g.Name(), t.Namespace(), wl.ServiceAccount(), arn); err != nil {
							problems = append(problems, fmt.Sprintf("%s/%s on %s cannot assume %s: %v", t.Name, wl.Name, g.Name(), name, err))
						}
						if err := assume(g.Name(), t.Namespace(), naming.SecretsServiceAccount, arn); err == nil {
							problems = append(problems, fmt.Sprintf("%s on %s: service account %s assumed %s, the role of %s", t.Name, g.Name(), naming.SecretsServiceAccount, name, wl.Name))
						}
					}
				}
				part := naming.Partition(e.Region)
				for _, a := range wl.AWS {
					for _, c := range accessCases(a, part, e.Account, e.Region, other) {
						if ok, why := w.aws.Allows(arn, c.action, c.resource, map[string]string{"s3:resourceaccount": e.Account}); ok != c.allowed {
							problems = append(problems, fmt.Sprintf("%s: %s on %s: allowed %t, want %t (%s)", name, c.action, c.resource, ok, c.allowed, why))
						}
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		return roles, fmt.Errorf("workload roles:\n  %s", strings.Join(problems, "\n  "))
	}
	return roles, nil
}

type accessCase struct {
	action, resource string
	allowed          bool
}

// accessCases are requests that an access level must allow, and some it
// must not: the next level up, and the same action on a resource of
// tenant other.
func accessCases(a model.Access, part, account, region, other string) []accessCase {
	switch a.Service {
	case model.S3:
		object := fmt.Sprintf("arn:%s:s3:::%s/e2e/object", part, a.Name)
		return []accessCase{
			{"s3:GetObject", object, true},
			{"s3:ListBucket", fmt.Sprintf("arn:%s:s3:::%s", part, a.Name), true},
			{"s3:PutObject", object, a.Level == model.Write},
			{"s3:GetObject", fmt.Sprintf("arn:%s:s3:::%s-bucket/e2e/object", part, other), false},
		}
	case model.SQS:
		queue := fmt.Sprintf("arn:%s:sqs:%s:%s:%s", part, region, account, a.Name)
		return []accessCase{
			{"sqs:ReceiveMessage", queue, a.Level == model.Consume},
			{"sqs:SendMessage", queue, a.Level == model.Send},
			{"sqs:GetQueueUrl", queue, true},
			{"sqs:SendMessage", fmt.Sprintf("arn:%s:sqs:%s:%s:%s-queue", part, region, account, other), false},
		}
	case model.DynamoDB:
		table := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", part, region, account, a.Name)
		return []accessCase{
			{"dynamodb:GetItem", table, true},
			{"dynamodb:Query", table + "/index/by-date", true},
			{"dynamodb:PutItem", table, a.Level == model.Write},
			{"dynamodb:GetItem", fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s-table", part, region, account, other), false},
		}
	}
	return nil
}
