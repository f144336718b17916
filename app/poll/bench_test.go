package poll

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The benchmark database: 1,000,000 notifications of 100 users, built once
// into a file under os.TempDir() and reused by later runs. One heavy user
// holds 700,000 rows so that page 10,000 (of 50) exists for every filter;
// the other 99 share the rest. Rows are inserted in time order across
// users, as they would arrive, so a user's rows are spread over the table.
const (
	benchFile     = "belfry-poll-bench-v2.db"
	benchRows     = 1_000_000
	benchUsers    = 100
	benchHeavy    = 700_000
	benchDeepPage = 10_000
)

var benchT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

type benchEnv struct {
	db      *db.DB
	store   *db.NotificationStore
	poll    *Server
	handler http.Handler
	users   []*app.User
	tokens  []string
}

var (
	benchOnce sync.Once
	benchEnvV *benchEnv
	benchErr  error
)

// openBench opens (building on first use) the benchmark database and wires
// the polling API over it without a rate limit.
func openBench(b *testing.B) *benchEnv {
	b.Helper()
	if testing.Short() {
		b.Skip("the 1,000,000-row benchmark does not run with -short")
	}
	benchOnce.Do(func() { benchEnvV, benchErr = buildBenchEnv() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchEnvV
}

func buildBenchEnv() (*benchEnv, error) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), benchFile)
	opts := db.Options{DatabaseConfig: app.DefaultConfig().Database}
	opts.Path, opts.Durability, opts.ReadConns = path, "normal", 8
	d, err := db.Open(opts)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	users := db.NewUserStore(d)
	if _, err := users.FindUserByName(ctx, benchUserName(benchUsers-1)); err != nil {
		if err := fillBench(ctx, d, users); err != nil {
			return nil, fmt.Errorf("build %s: %w", path, err)
		}
	}
	// Closing checkpoints the write-ahead log into the file, so reads do
	// not wade through a WAL as large as the database.
	if err := d.Close(); err != nil {
		return nil, err
	}
	if d, err = db.Open(opts); err != nil {
		return nil, err
	}
	users = db.NewUserStore(d)
	env := &benchEnv{db: d, store: db.NewNotificationStore(d)}
	authSvc := apptest.Auth(d)
	for i := range benchUsers {
		u, err := users.FindUserByName(ctx, benchUserName(i))
		if err != nil {
			return nil, err
		}
		// Fresh tokens each run; the old ones are harmless rows.
		secret, _, err := authSvc.CreateToken(ctx, u.ID, "bench", app.ScopeClient)
		if err != nil {
			return nil, err
		}
		env.users, env.tokens = append(env.users, u), append(env.tokens, secret)
	}
	key, err := db.CursorKey(ctx, d)
	if err != nil {
		return nil, err
	}
	cfg := app.DefaultConfig()
	cfg.Polling.RatePerSecond = 0
	env.poll = New(Deps{Polling: cfg.Polling, Notifications: env.store, Counts: db.NewNotificationTotals(d),
		Inbox: notify.NewInbox(env.store, d, bus.New()), CursorKey: key, Logger: quietLogger()})
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	env.poll.Register(r, web.Authenticate(authSvc))
	env.handler = r
	return env, nil
}

func benchUserName(i int) string { return fmt.Sprintf("bench%03d", i) }

// fillBench writes the users and the 1,000,000 rows in one transaction.
func fillBench(ctx context.Context, d *db.DB, users *db.UserStore) error {
	start := time.Now()
	ids := make([]string, benchUsers)
	for i := range ids {
		u := &app.User{Username: benchUserName(i), PasswordHash: "x"}
		if err := users.CreateUser(ctx, u); err != nil {
			return err
		}
		ids[i] = u.ID
	}
	rng := rand.New(rand.NewPCG(1, 2))
	err := d.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO notifications (id, user_id, type, level, title, body, data,
			target_url, email_subject, service_id, project, status, acknowledged_at, read_at, created_at)
			VALUES (?, ?, 'job_failed', 'error', ?, 'Backup exited with status 1.', '{"job":"nightly"}',
			'https://nas.local/jobs/1', '', ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range benchRows {
			// Every other row belongs to the heavy user until it has its
			// share; the rest go round the others.
			owner := 0
			if i%10 >= 7 {
				owner = 1 + i%(benchUsers-1)
			}
			at := benchT0.Add(time.Duration(i) * 250 * time.Millisecond).UnixMilli()
			service, project := "backup", "home"
			if rng.IntN(4) == 0 {
				service = "mail"
			}
			if rng.IntN(4) == 0 {
				project = "work"
			}
			status, acked, read := app.StatusPending, any(nil), any(nil)
			if rng.IntN(5) == 0 {
				status, acked, read = app.StatusAcknowledged, at+60_000, at+60_000
			}
			if _, err := stmt.Exec(uuid.Must(uuid.NewV7()).String(), ids[owner], fmt.Sprintf("Nightly backup %d failed", i),
				service, project, status, acked, read, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built the benchmark database (%d rows) in %v\n", benchRows, time.Since(start).Round(time.Millisecond))
	return nil
}

// benchFilters are the queries measured; each has at least 500,000 matches
// for the heavy user, so page 10,000 exists.
var benchFilters = []struct{ name, query string }{
	{"none", ""},
	{"status", "status=pending"},
	{"service", "service_id=backup"},
	{"project", "project=home"},
}

// deepCursor synthesises the cursor that leads to page `page` of q: the
// keyset position of the last row of page-1, found once with OFFSET.
func (e *benchEnv) deepCursor(b *testing.B, q *listQuery, page int) string {
	b.Helper()
	f := q.countFilter()
	f.Sort, f.Limit, f.Offset = q.sort, 1, (page-1)*q.limit-1
	rows, err := e.store.ListNotifications(context.Background(), f)
	if err != nil || len(rows) != 1 {
		b.Fatalf("position of page %d: %v (%d rows)", page, err, len(rows))
	}
	p := position{sort: q.sort, createdAt: rows[0].CreatedAt.UnixMilli(), id: uuid.MustParse(rows[0].ID), filter: q.filterHash()}
	return e.poll.cursors.encode(p)
}

func (e *benchEnv) query(b *testing.B, raw string) *listQuery {
	b.Helper()
	values, _ := urlValues(raw)
	q, err := e.poll.parseListQuery(values, e.users[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	return q
}

// serve runs one request through the handler and checks it succeeded.
func (e *benchEnv) serve(b *testing.B, token, target string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s = %d %s", target, rec.Code, rec.Body)
	}
}

// latencies records per-request times and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	p50, p99 := l.percentiles()
	b.ReportMetric(p50, "p50-µs")
	b.ReportMetric(p99, "p99-µs")
	b.ReportMetric(0, "ns/op")
}

// percentiles returns the p50 and p99 in microseconds.
func (l latencies) percentiles() (p50, p99 float64) {
	slices.Sort(l)
	pct := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))]) / float64(time.Microsecond) }
	return pct(0.50), pct(0.99)
}

// BenchmarkPages measures one list request of the heavy user, page 1 against
// page 10,000, for each filter: through the whole HTTP handler (auth, rate
// limit, page query, count, JSON, ETag; the page cache off) and in the
// store alone; and a first page answered from the page cache.
func BenchmarkPages(b *testing.B) {
	e := openBench(b)
	b.Run("handler/none/page1/cached", func(b *testing.B) {
		e.serve(b, e.tokens[0], base)
		var l latencies
		for b.Loop() {
			t := time.Now()
			e.serve(b, e.tokens[0], base)
			l = append(l, time.Since(t))
		}
		l.report(b)
	})
	for _, f := range benchFilters {
		q := e.query(b, f.query)
		deep := e.deepCursor(b, q, benchDeepPage)
		// Each iteration asks for page 1 and page 10,000 in turn, so both
		// see the same load on a shared machine.
		b.Run("handler/"+f.name, func(b *testing.B) {
			cached := e.poll.pages
			e.poll.pages = newPageCache(0) // both pages run their queries
			defer func() { e.poll.pages = cached }()
			first, last := base+"?"+f.query, base+"?"+f.query+"&cursor="+deep
			comparePages(b, func(page int) {
				if page == 1 {
					e.serve(b, e.tokens[0], first)
				} else {
					e.serve(b, e.tokens[0], last)
				}
			})
		})
		b.Run("store/"+f.name, func(b *testing.B) {
			first, last := e.query(b, f.query).filter(), e.query(b, f.query+"&cursor="+deep).filter()
			comparePages(b, func(page int) {
				f := first
				if page != 1 {
					f = last
				}
				if _, err := e.store.ListNotifications(b.Context(), f); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// comparePages times fetch(1) and fetch(benchDeepPage) alternately and
// reports both pages' p50 and p99 and the ratio of their p50s.
func comparePages(b *testing.B, fetch func(page int)) {
	fetch(1)
	fetch(benchDeepPage)
	var first, deep latencies
	for b.Loop() {
		t := time.Now()
		fetch(1)
		first = append(first, time.Since(t))
		t = time.Now()
		fetch(benchDeepPage)
		deep = append(deep, time.Since(t))
	}
	p1, p1tail := first.percentiles()
	pd, pdtail := deep.percentiles()
	b.ReportMetric(p1, "page1-p50-µs")
	b.ReportMetric(p1tail, "page1-p99-µs")
	b.ReportMetric(pd, "page10k-p50-µs")
	b.ReportMetric(pdtail, "page10k-p99-µs")
	b.ReportMetric(pd/p1, "ratio-p50")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCount measures total_count for the heavy user (700,000 rows) and
// a typical one (about 3,000): from the trigger-kept totals the API uses,
// and by COUNT(*) over a covering index, the store's fallback.
func BenchmarkCount(b *testing.B) {
	e := openBench(b)
	counters := []struct {
		name string
		c    Counter
	}{{"totals", e.poll.d.Counts}, {"index", e.store}}
	for _, who := range []struct {
		name string
		user int
	}{{"heavy", 0}, {"typical", 1}} {
		for _, f := range benchFilters {
			for _, counter := range counters {
				b.Run(counter.name+"/"+who.name+"/"+f.name, func(b *testing.B) {
					values, _ := urlValues(f.query)
					q, err := e.poll.parseListQuery(values, e.users[who.user].ID)
					if err != nil {
						b.Fatal(err)
					}
					var l latencies
					for b.Loop() {
						t := time.Now()
						if _, err := counter.c.CountNotifications(b.Context(), q.countFilter()); err != nil {
							b.Fatal(err)
						}
						l = append(l, time.Since(t))
					}
					l.report(b)
				})
			}
		}
	}
}

// BenchmarkThroughput sends first-page polls of all 100 users from 16
// concurrent clients, in process through the handler and over loopback
// TCP, and reports requests per second: "cached" is steady polling while
// nothing changes (the page cache answers), "uncached" runs the page and
// count queries for every request.
func BenchmarkThroughput(b *testing.B) {
	e := openBench(b)
	const clients = 16
	run := func(b *testing.B, do func(token string) error) {
		for _, tok := range e.tokens {
			if err := do(tok); err != nil { // warm the token cache
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		var next sync.Mutex
		n := 0
		for c := range clients {
			wg.Go(func() {
				for i := c; ; i++ {
					next.Lock()
					if n >= b.N {
						next.Unlock()
						return
					}
					n++
					next.Unlock()
					if err := do(e.tokens[i%len(e.tokens)]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	}
	viaHandler := func(token string) error {
		req := httptest.NewRequest(http.MethodGet, base, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("status %d", rec.Code)
		}
		return nil
	}
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	viaTCP := func(token string) error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+base, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	cached := e.poll.pages
	for _, cache := range []string{"cached", "uncached"} {
		// A cache with no room stores nothing: every request queries.
		e.poll.pages = cached
		if cache == "uncached" {
			e.poll.pages = newPageCache(0)
		}
		b.Run("handler/"+cache, func(b *testing.B) { run(b, viaHandler) })
		b.Run("tcp/"+cache, func(b *testing.B) { run(b, viaTCP) })
	}
	e.poll.pages = cached
}

func urlValues(raw string) (map[string][]string, error) {
	v, err := url.ParseQuery(raw)
	return v, err
}

// BenchmarkLongPollWake measures how long a waiting long poll takes to
// answer after a notification for its user is created and published.
func BenchmarkLongPollWake(b *testing.B) {
	h := newHarness(b, nil)
	u, tok := h.user("alice")
	cursor := *h.list(tok, "sort=oldest").Pagination.NextCursor
	var l latencies
	for b.Loop() {
		done := h.longPoll(context.Background(), tok, "sort=oldest&wait=60&cursor="+cursor)
		for h.poll.Stats().Waiting == 0 {
			time.Sleep(100 * time.Microsecond)
		}
		n := apptest.Notification(u.ID, "Done")
		if err := h.store.CreateNotifications(context.Background(), []*app.Notification{n}, nil); err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		h.bus.Publish(context.Background(), app.Change{Kind: app.ChangeCreated, UserID: u.ID, Notification: n})
		r := <-done
		l = append(l, time.Since(t))
		var lb listBody
		if err := json.Unmarshal(r.body, &lb); err != nil || len(lb.Notifications) != 1 {
			b.Fatalf("long poll = %d %s", r.status, r.body)
		}
		cursor = *lb.Pagination.NextCursor
	}
	l.report(b)
}
