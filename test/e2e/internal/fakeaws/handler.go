package fakeaws

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const maxBody = 1 << 20

// Handler returns the HTTP handler of every emulated API: STS, SSM and
// Secrets Manager at any path but the webhook's (routed by the SigV4
// credential scope, or for unsigned requests by Action or X-Amz-Target,
// whatever the Host header says), and the EKS token webhook under
// WebhookPath.
func (c *Cloud) Handler() http.Handler { return http.HandlerFunc(c.serveHTTP) }

func (c *Cloud) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, webhookPrefix) {
		c.serveWebhook(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "fakeaws: cannot read the request body (at most 1 MiB)", http.StatusBadRequest)
		return
	}
	si, fail := parseSig(r)
	service := ""
	switch {
	case si != nil:
		service = si.Service
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM."):
		service = "ssm"
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager."):
		service = "secretsmanager"
	default:
		service = "sts"
	}
	switch service {
	case "sts":
		c.serveSTS(w, r, body, si, fail)
	case "ssm", "secretsmanager":
		c.serveJSON(w, r, body, service, si, fail)
	default:
		c.record(Call{Action: service + ":*", Code: "UnknownService", Reason: "service " + service + " is not emulated"})
		writeJSONError(w, &apiError{Status: 400, Code: "UnknownOperationException", Message: "fakeaws does not emulate service " + service})
	}
}

// apiError is an error answer of an AWS API.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// stsParams returns the parameters of an awsQuery request: the form body
// of a POST, or the query string (without the signature) of a GET.
func stsParams(r *http.Request, body []byte) (url.Values, error) {
	if r.Method == http.MethodPost {
		return url.ParseQuery(string(body))
	}
	q := r.URL.Query()
	for k := range q {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(q, k)
		}
	}
	return q, nil
}

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", newVersionID())
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

type queryErrorResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeQueryError(w http.ResponseWriter, e *apiError) {
	var resp queryErrorResponse
	resp.Error.Type = "Sender"
	if e.Status >= 500 {
		resp.Error.Type = "Receiver"
	}
	resp.Error.Code, resp.Error.Message = e.Code, e.Message
	resp.RequestID = newVersionID()
	writeXML(w, e.Status, resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", newVersionID())
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", newVersionID())
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}
