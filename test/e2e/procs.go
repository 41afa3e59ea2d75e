package e2e

import (
	"bytes"
	"context"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procs starts the test's programs, each with its output in a log file of
// its own, and stops them all at the end.
type procs struct {
	dir  string   // where the logs go
	env  []string // the environment every program starts with
	mu   sync.Mutex
	list []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start runs name (a program on the test's PATH) with args and extra
// environment variables.
func (p *procs) start(name, program string, env []string, args ...string) (*proc, error) {
	log := filepath.Join(p.dir, name+".log")
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	env = append(append([]string{}, p.env...), env...)
	path, err := lookPath(program, env)
	if err != nil {
		f.Close()
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Dir = p.dir
	// Its own process group, so that stopping it stops what it started
	// (git, kustomize, argocd-k8s-auth).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	pr := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		pr.err = cmd.Wait()
		f.Close()
		close(pr.done)
	}()
	p.mu.Lock()
	p.list = append(p.list, pr)
	p.mu.Unlock()
	return pr, nil
}

// exited returns an error if pr has ended.
func (pr *proc) exited() error {
	select {
	case <-pr.done:
		return fmt.Errorf("%s exited: %v; its last lines:\n%s", pr.name, pr.err, tail(pr.log, 20))
	default:
		return nil
	}
}

// stop ends pr: SIGTERM, then SIGKILL after a grace period.
func (pr *proc) stop() {
	select {
	case <-pr.done:
		return
	default:
	}
	_ = syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-pr.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGKILL)
		<-pr.done
	}
}

// stopAll stops every program, the last started first.
func (p *procs) stopAll() {
	p.mu.Lock()
	list := p.list
	p.list = nil
	p.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- {
		list[i].stop()
	}
}

// tails returns the last n lines of every program's log.
func (p *procs) tails(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b bytes.Buffer
	for _, pr := range p.list {
		fmt.Fprintf(&b, "---- %s (%s) ----\n%s\n", pr.name, pr.log, tail(pr.log, n))
	}
	return b.String()
}

// tail returns the last n lines of the file.
func tail(file string, n int) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return err.Error()
	}
	b = bytes.TrimRight(b, "\n")
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if n--; n == 0 {
				return string(b[i+1:])
			}
		}
	}
	return string(b)
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now,
// below the kernel's range of ephemeral ports (32768 and up): a port from
// that range may be taken by an outgoing connection before the program it
// is given to listens on it.
func freePort() (int, error) {
	for range 100 {
		port := 10000 + mathrand.IntN(22000)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port found on 127.0.0.1")
}

// poll calls f every interval until it returns true or an error, or ctx
// ends; then it returns the last reason f gave.
func poll(ctx context.Context, interval time.Duration, f func() (bool, string, error)) error {
	var reason string
	for {
		ok, why, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		reason = why
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s", ctx.Err(), reason)
		case <-time.After(interval):
		}
	}
}

// lookPath finds program in the PATH of env, not in the test's own.
func lookPath(program string, env []string) (string, error) {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		file := filepath.Join(dir, program)
		if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return file, nil
		}
	}
	return "", fmt.Errorf("%s: not found in the test's PATH", program)
}
