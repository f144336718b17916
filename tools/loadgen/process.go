package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a server under test running as a child of the load generator:
// its own process, so its resident memory is its own and its sockets are
// not the generator's.
type process struct {
	cmd     *exec.Cmd
	logPath string // the child's standard output and error
	exited  chan struct{}
	waitErr error
}

// startProcess starts bin with args in dir, with the generator's environment
// minus every variable starting with dropPrefix, plus env. Output goes to
// logPath.
func startProcess(bin string, args []string, dir, dropPrefix string, env []string, logPath string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv(dropPrefix, env)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// childEnv is the generator's environment without the variables starting
// with dropPrefix (a stray BELFRY_ variable would reconfigure the server
// under test), plus env.
func childEnv(dropPrefix string, env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if dropPrefix == "" || !strings.HasPrefix(kv, dropPrefix) {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// PID is the child's process id.
func (p *process) PID() int { return p.cmd.Process.Pid }

// waitReady polls url until it answers 200, the child exits or ctx ends.
func (p *process) waitReady(ctx context.Context, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("server exited before it was ready (%v); its log:\n%s", p.waitErr, p.logTail(20))
		case <-ctx.Done():
			return fmt.Errorf("server not ready at %s after %s; its log:\n%s", url, limit, p.logTail(20))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop asks the child to shut down (SIGTERM) and kills it if it has not
// exited within grace.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("server did not stop within %s: killed", grace)
	}
}

// logTail returns the last n lines of the child's output.
func (p *process) logTail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logCounts counts the warnings and errors the child logged, by message:
// slog's text format (level=WARN msg="…") or its JSON format; and the race
// reports and panics of the Go runtime.
func (p *process) logCounts() map[string]int {
	f, err := os.Open(p.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		level := ""
		switch {
		case strings.Contains(line, "level=WARN"), strings.Contains(line, `"level":"WARN"`):
			level = "WARN"
		case strings.Contains(line, "level=ERROR"), strings.Contains(line, `"level":"ERROR"`):
			level = "ERROR"
		case strings.Contains(line, "WARNING: DATA RACE"), strings.HasPrefix(line, "panic: "):
			counts[line]++
			continue
		default:
			continue
		}
		counts[level+" "+logMessage(line)]++
	}
	return counts
}

// logMessage extracts the msg of a slog line, or returns the line.
func logMessage(line string) string {
	for _, key := range []string{`msg="`, `"msg":"`} {
		if _, rest, ok := strings.Cut(line, key); ok {
			if msg, _, ok := strings.Cut(rest, `"`); ok {
				return msg
			}
		}
	}
	if _, rest, ok := strings.Cut(line, "msg="); ok {
		msg, _, _ := strings.Cut(rest, " ")
		return msg
	}
	return line
}

// formatCounts renders logCounts as "3× WARN msg; …", largest first.
func formatCounts(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d× %s", counts[k], k)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// residentBytes reads VmRSS of pid from /proc (Linux): all its resident
// pages, the clean pages of its executable included.
func residentBytes(pid int) (int64, error) { return statusBytes(pid, "VmRSS:") }

// anonymousBytes reads RssAnon of pid from /proc (Linux): the resident
// memory that is the process's own (heap, stacks, allocator), without the
// file pages — its executable's — that the kernel can drop and read again.
func anonymousBytes(pid int) (int64, error) { return statusBytes(pid, "RssAnon:") }

// statusBytes reads a "kB" field of /proc/<pid>/status.
func statusBytes(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s %q: %w", field, rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no " + field + " in /proc/" + strconv.Itoa(pid) + "/status")
}

// cpuSeconds reads the user and system CPU time pid has used from
// /proc/<pid>/stat (Linux; pid 0 is the generator itself).
func cpuSeconds(pid int) (float64, error) {
	name := "self"
	if pid != 0 {
		name = strconv.Itoa(pid)
	}
	b, err := os.ReadFile("/proc/" + name + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%s/stat", name)
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64) // field 14
	stime, err2 := strconv.ParseFloat(fields[12], 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const clockTicks = 100 // USER_HZ: 100 on every Linux architecture Go supports
	return (utime + stime) / clockTicks, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
