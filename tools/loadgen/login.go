package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loginFlood is the hostile-client workload of issue 19: Guesses wrong
// passwords for admin, one after the other from one address, then Flood
// concurrent wrong logins, each from its own address (X-Forwarded-For, the
// server trusting loopback as its proxy) and for its own unknown user, so
// that neither limit per address nor per username holds them back and
// only the bound on concurrent password hashing can. It counts the
// answers by status and reads the server's resident memory at idle and at
// its peak (VmHWM).
type loginFlood struct {
	Guesses int
	Flood   int
}

// loginResult is one run of loginFlood.
type loginResult struct {
	Guesses, Flood map[int]int // answers by status
	NoRetryAfter   int         // 429 and 503 answers without Retry-After
	Idle, Peak     int64       // resident bytes
}

// trustLoopbackProxy makes the server read client addresses from
// X-Forwarded-For, as behind a reverse proxy on the same machine.
func trustLoopbackProxy(o systemOptions) systemOptions {
	o.Env = append(append([]string(nil), o.Env...), "BELFRY_SERVER_TRUSTED_PROXIES=127.0.0.1")
	return o
}

// run measures w once on a fresh Belfry.
func (w loginFlood) run(ctx context.Context, sys system) (loginResult, error) {
	r := loginResult{Guesses: map[int]int{}, Flood: map[int]int{}}
	b, ok := sys.(*belfry)
	if !ok || b.pid == 0 {
		return r, errors.New("the login workload runs on a Belfry started by the generator")
	}
	idle, err := steadyResident(ctx, b.pid, 5*time.Second)
	if err != nil {
		return r, err
	}
	r.Idle = idle
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: w.Flood}, Timeout: 2 * time.Minute}
	for i := range w.Guesses {
		st, retry, err := b.login(ctx, c, "admin", "wrong guess "+strconv.Itoa(i), "")
		if err != nil {
			return r, err
		}
		r.count(r.Guesses, st, retry)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range w.Flood {
		wg.Go(func() {
			<-start
			st, retry, err := b.login(ctx, c, "flood-"+strconv.Itoa(i), "wrong password", fmt.Sprintf("10.9.%d.%d", i/250, i%250+1))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				return
			}
			r.count(r.Flood, st, retry)
		})
	}
	close(start)
	wg.Wait()
	if firstErr != nil {
		return r, firstErr
	}
	r.Peak, err = peakResidentBytes(b.pid)
	return r, err
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func (r *loginResult) count(by map[int]int, status int, retryAfter bool) {
	by[status]++
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && !retryAfter {
		r.NoRetryAfter++
	}
}

// login posts one JSON login, from the address forwardedFor when it is not
// empty, and returns the status and whether the answer had Retry-After.
func (b *belfry) login(ctx context.Context, c *http.Client, username, password, forwardedFor string) (int, bool, error) {
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.baseURL+"/login", bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, false, err
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After") != "", nil
}

// peakResidentBytes reads VmHWM, the peak resident memory of pid, from
// /proc (Linux).
func peakResidentBytes(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
}

// measure runs w and returns its figures.
func (w loginFlood) measure(ctx context.Context, sys system) (metrics, []string, error) {
	r, err := w.run(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	m := metrics{"idle_bytes": float64(r.Idle), "peak_bytes": float64(r.Peak), "no_retry_after": float64(r.NoRetryAfter)}
	for prefix, by := range map[string]map[int]int{"guess": r.Guesses, "flood": r.Flood} {
		for st, n := range by {
			m[fmt.Sprintf("%s_%d", prefix, st)] = float64(n)
		}
	}
	return m, nil, nil
}

func loginCell(m metrics) string {
	s := fmt.Sprintf("%s answered, %s × 429, %s × 503 / %s answered, %s × 503, %s × 429; %.0f → %.0f MiB",
		thousands(int(m["guess_401"])), thousands(int(m["guess_429"])), thousands(int(m["guess_503"])),
		thousands(int(m["flood_401"])), thousands(int(m["flood_503"])), thousands(int(m["flood_429"])),
		m["idle_bytes"]/(1<<20), m["peak_bytes"]/(1<<20))
	if n := m["no_retry_after"]; n > 0 {
		s += fmt.Sprintf(" (**%s refusals without Retry-After**)", thousands(int(n)))
	}
	return s
}

// loginDetail is the progress line of one run: every answer by status.
func loginDetail(m metrics) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.HasPrefix(k, "guess_") || strings.HasPrefix(k, "flood_") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s", k, thousands(int(m[k])))
	}
	return loginCell(m) + "; " + strings.Join(parts, ", ")
}
