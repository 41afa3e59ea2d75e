package e2e

import (
	"io"
	"net"
	"net/http"
	"strings"
)

// proxy is an HTTPS proxy (HTTP CONNECT) that sends every connection to
// an AWS host (*.amazonaws.com) to the fake AWS, and refuses any other:
// what a program cannot be pointed at by configuration reaches the fake
// this way, with the fake's certificate for the AWS host names.
type proxy struct {
	addr string
	srv  *http.Server
}

func serveProxy(fakeAWS string) (*proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{addr: l.Addr().String()}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		if r.Method != http.MethodConnect || !strings.HasSuffix(host, ".amazonaws.com") {
			http.Error(w, "the e2e proxy reaches AWS hosts only: "+r.Host, http.StatusForbidden)
			return
		}
		upstream, err := net.Dial("tcp", fakeAWS)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			upstream.Close()
			http.Error(w, "no hijacking", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		client, buf, err := hj.Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() {
			if n := buf.Reader.Buffered(); n > 0 {
				b, _ := buf.Reader.Peek(n)
				_, _ = upstream.Write(b)
			}
			_, _ = io.Copy(upstream, client)
			upstream.Close()
		}()
		go func() {
			_, _ = io.Copy(client, upstream)
			client.Close()
		}()
	})}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}
