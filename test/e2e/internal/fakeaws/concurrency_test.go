package fakeaws

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// TestConcurrentUse exercises the cloud from many goroutines at once (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	client := ssm.NewFromConfig(w.v2Config(credentials.StaticCredentialsProvider{Value: w.readerSession(t)}))
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := 0; i < 10; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			errs <- w.cloud.PutParameter(prodAcct, region, fmt.Sprintf("/acme/clusters/c%d/endpoint", i), "v")
		}()
		go func() {
			defer wg.Done()
			_, err := client.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/acme/clusters/prod-shared-1-34/endpoint")})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_ = w.cloud.Calls()
			_ = w.cloud.RefusalReport(3)
			_, _, err := w.cloud.IssueCredentials(RoleARN(prodAcct, "acme-argocd-deployer"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
