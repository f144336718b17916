package hub

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock"
	"github.com/coder/websocket"
)

// The benchmark keeps the WebSocket clients in a child process (this test
// binary again, running TestBenchClient): 10,000 sockets need 20,000 file
// descriptors, more than one process may hold here, and the server's memory
// per socket is then measured without the clients' share.

// Two environment variables help investigate the figures:
// HUB_BENCH_SEND_BUFFER overrides websocket.send_buffer, and
// HUB_BENCH_HEAPPROFILE names a file for an exact heap profile taken once the
// sockets are connected.

const (
	benchEnv      = "BELFRY_HUB_BENCH_CLIENT"
	benchRate     = 50 // events per second
	benchDuration = 5 * time.Second
	benchUsers    = 1000
)

// benchPlan is what the server tells the client process.
type benchPlan struct {
	URL      string   `json:"url"`
	Tokens   []string `json:"tokens"`
	PerToken int      `json:"per_token"`
}

func BenchmarkHub(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchHub(b, n) })
	}
}

// benchHub connects n sockets over benchUsers users, publishes creations at
// benchRate for benchDuration, round-robin over the users, and reports
// deliveries per second, publish-to-receive latency and memory per socket.
// It runs its fixed scenario once, whatever b.N.
func benchHub(b *testing.B, n int) {
	if os.Getenv("HUB_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	raiseFileLimit(b, n)
	s := newServerWithClock(b, clock.Real{}, func(c *app.Config) {
		c.WebSocket.PingPeriod = app.Duration{Duration: time.Minute}
		// Every socket comes from 127.0.0.1.
		c.WebSocket.MaxPerAddress, c.WebSocket.MaxConnections = n, n
		if v, err := strconv.Atoi(os.Getenv("HUB_BENCH_SEND_BUFFER")); err == nil {
			c.WebSocket.SendBuffer = v
		}
	})
	users := make([]*app.User, benchUsers)
	plan := benchPlan{URL: s.wsURL(), PerToken: n / benchUsers}
	for i := range users {
		users[i] = s.user(fmt.Sprintf("u%05d", i))
		plan.Tokens = append(plan.Tokens, s.token(users[i], app.ScopeClient))
	}
	planFile := filepath.Join(b.TempDir(), "plan.json")
	raw, _ := json.Marshal(plan)
	if err := os.WriteFile(planFile, raw, 0o600); err != nil {
		b.Fatal(err)
	}

	rssBefore, heapBefore, stackBefore := settledMemory()
	child := startBenchClient(b, planFile)
	clientRSS := child.await("ready")
	s.waitFor("all sockets", func() bool { return s.hub.Stats().Sockets == n })
	rssAfter, heapAfter, stackAfter := settledMemory()
	if f := os.Getenv("HUB_BENCH_HEAPPROFILE"); f != "" { // for investigating the figures
		out, _ := os.Create(f)
		_ = pprof.WriteHeapProfile(out)
		out.Close()
	}

	// Publish at a steady rate; remember when each notification left.
	ctx := context.Background()
	published := map[string]int64{}
	tick := time.NewTicker(time.Second / benchRate)
	events := int(benchDuration / (time.Second / benchRate))
	b.ResetTimer()
	for i := range events {
		<-tick.C
		u := users[i%len(users)]
		note := apptest.Notification(u.ID, "bench")
		note.Body = "event **" + strconv.Itoa(i) + "**"
		if err := s.notes.CreateNotifications(ctx, []*app.Notification{note}, nil); err != nil {
			b.Fatal(err)
		}
		published[note.ID] = time.Now().UnixNano()
		s.bus.Publish(ctx, app.Change{Kind: app.ChangeCreated, UserID: u.ID, Notification: note, Toast: true})
	}
	tick.Stop()
	want := events * plan.PerToken
	child.send(fmt.Sprintf("expect %d", want))
	recvs := child.results()
	b.StopTimer()

	var lat []time.Duration
	first, last := int64(1<<62), int64(0)
	for _, p := range published {
		first = min(first, p)
	}
	for _, r := range recvs {
		if p, ok := published[r.id]; ok {
			lat = append(lat, time.Duration(r.at-p))
			last = max(last, r.at)
		}
	}
	if len(lat) != want {
		b.Fatalf("received %d deliveries, want %d", len(lat), want)
	}
	slices.Sort(lat)
	span := time.Duration(last - first).Seconds()
	b.ReportMetric(float64(len(lat))/span, "delivered/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(rssAfter-rssBefore)/float64(n), "server-RSS-B/socket")
	b.ReportMetric(float64(heapAfter-heapBefore)/float64(n), "server-heap+stack-B/socket")
	b.ReportMetric(float64(stackAfter-stackBefore)/float64(n), "server-stack-B/socket")
	b.ReportMetric(float64(clientRSS)/float64(n), "client-RSS-B/socket")
	if st := s.hub.Stats(); st.DroppedSlow != 0 {
		b.Fatalf("%d sockets dropped as slow", st.DroppedSlow)
	}
}

// settledMemory returns the process's resident set and Go's in-use heap and
// stacks, in bytes, after a full collection.
func settledMemory() (rss, inuse, stack int64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return vmRSS(), int64(ms.HeapInuse + ms.StackInuse), int64(ms.StackInuse)
}

// vmRSS reads VmRSS from /proc/self/status.
func vmRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// benchChild is the client process, spoken to over its stdin and stdout.
type benchChild struct {
	b     *testing.B
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

type delivery struct {
	id string
	at int64
}

func startBenchClient(b *testing.B, planFile string) *benchChild {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchEnv+"="+planFile)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &benchChild{b: b, cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "bench:"); ok {
				c.lines <- line
			}
		}
	}()
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return c
}

// await waits for the line "word N" and returns N.
func (c *benchChild) await(word string) int64 {
	for line := range c.lines {
		if rest, ok := strings.CutPrefix(line, word+" "); ok {
			n, _ := strconv.ParseInt(rest, 10, 64)
			return n
		}
		c.b.Logf("client: %s", line)
	}
	c.b.Fatalf("client process ended before %q", word)
	return 0
}

func (c *benchChild) send(line string) {
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.b.Fatal(err)
	}
}

// results collects the "recv ID NANOS" lines up to "end".
func (c *benchChild) results() []delivery {
	var out []delivery
	for line := range c.lines {
		if line == "end" {
			return out
		}
		if f := strings.Fields(line); len(f) == 3 && f[0] == "recv" {
			at, _ := strconv.ParseInt(f[2], 10, 64)
			out = append(out, delivery{f[1], at})
		}
	}
	c.b.Fatal("client process ended before its results")
	return nil
}

// TestBenchClient is the client process of BenchmarkHub; run directly it
// does nothing.
func TestBenchClient(t *testing.T) {
	planFile := os.Getenv(benchEnv)
	if planFile == "" {
		t.Skip("the client process of BenchmarkHub")
	}
	var plan benchPlan
	raw, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	raiseFileLimit(t, len(plan.Tokens)*plan.PerToken)

	rssBefore := vmRSS()
	var (
		mu       sync.Mutex
		got      []delivery
		received atomic.Int64
		conns    []*websocket.Conn
		wg       sync.WaitGroup
		sem      = make(chan struct{}, 32)
	)
	for _, tok := range plan.Tokens {
		for range plan.PerToken {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				conn := benchDial(t, plan.URL, tok)
				mu.Lock()
				conns = append(conns, conn)
				mu.Unlock()
				go func() {
					for {
						_, msg, err := conn.Read(context.Background())
						if err != nil {
							return
						}
						at := time.Now().UnixNano()
						var f struct{ Notification *struct{ ID string } }
						if json.Unmarshal(msg, &f) == nil && f.Notification != nil {
							mu.Lock()
							got = append(got, delivery{f.Notification.ID, at})
							mu.Unlock()
							received.Add(1)
						}
					}
				}()
			}()
		}
	}
	wg.Wait()
	runtime.GC()
	debug.FreeOSMemory()
	fmt.Printf("bench:ready %d\n", vmRSS()-rssBefore)

	sc := bufio.NewScanner(os.Stdin)
	var want int64
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "expect "); ok {
			want, _ = strconv.ParseInt(rest, 10, 64)
			break
		}
	}
	deadline := time.Now().Add(guard)
	for received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	w := bufio.NewWriter(os.Stdout)
	mu.Lock()
	for _, d := range got {
		fmt.Fprintf(w, "bench:recv %s %d\n", d.id, d.at)
	}
	mu.Unlock()
	fmt.Fprintln(w, "bench:end")
	w.Flush()
	for _, c := range conns {
		c.CloseNow()
	}
}

func benchDial(t *testing.T, url, token string) *websocket.Conn {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
		cancel()
		if err == nil {
			return conn
		}
		if attempt == 3 {
			fmt.Printf("bench:dial failed: %v\n", err)
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// raiseFileLimit lifts the soft limit of open files to the hard one, which
// must leave room for n sockets.
func raiseFileLimit(tb testing.TB, n int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatal(err)
	}
	if lim.Cur < uint64(n)+256 {
		tb.Skipf("open files are limited to %d, too few for %d sockets", lim.Cur, n)
	}
}
