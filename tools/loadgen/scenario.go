package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// scenario is one row of the table: a workload, run on a fresh system each
// time, measured as named figures (metrics) whose medians over the runs
// fill the row's cell.
type scenario struct {
	Name     string // what -scenario selects
	Workload string // the row's first column
	// Options adjusts the system options of its runs (the send buffer);
	// a scenario with Options is about a Belfry setting and runs on Belfry
	// only.
	Options func(systemOptions) systemOptions
	// Run measures once and adds notes for the progress log (failures
	// worth a look).
	Run func(ctx context.Context, sys system) (metrics, []string, error)
	// Cell renders the medians of the runs.
	Cell func(m metrics) string
	// Detail renders one run for the progress log.
	Detail func(m metrics) string
}

// metrics are the figures of one run, or their medians over runs.
type metrics map[string]float64

// plan are the sizes of the workloads; the defaults are issue 12's.
type plan struct {
	Users    int           // recipients the delivery workloads' sockets are spread over
	Duration time.Duration // of each paced latency workload
	Settle   time.Duration // quiet time that ends a delivery wait
}

// scenarios returns the table's rows in order.
func scenarios(p plan) []scenario {
	burst := delivery{Sockets: 50, Users: p.Users, Bursts: []int{5000, 5000}, Concurrency: 8, Settle: p.Settle}
	fanout := delivery{Sockets: 200, Users: p.Users, Bursts: []int{500}, Concurrency: 8, Settle: p.Settle}
	paced := func(sockets int, rate float64) delivery {
		n := int(rate * p.Duration.Seconds())
		return delivery{Sockets: sockets, Users: p.Users, Bursts: []int{n}, Concurrency: 16, Rate: rate, Settle: p.Settle}
	}
	lat50, lat200 := paced(50, 250), paced(200, 50)
	rate := publishRate{Messages: 5000, Concurrency: []int{8, 64}, WarmMessages: 100}
	mem := memory{Sockets: 1000, Settle: 15 * time.Second}
	login := loginFlood{Guesses: 400, Flood: 256}
	return []scenario{
		{
			Name: "burst", Workload: fmt.Sprintf("a burst (publish %s at concurrency %d) while %d sockets listen, then %s more",
				thousands(burst.Bursts[0]), burst.Concurrency, burst.Sockets, thousands(burst.Bursts[1])),
			Run: burst.measure, Cell: burstCell, Detail: deliveryDetail,
		},
		{
			Name: "fanout", Workload: fmt.Sprintf("fan-out %d sockets × %d messages, concurrency %d",
				fanout.Sockets, fanout.Bursts[0], fanout.Concurrency),
			Run: fanout.measure, Cell: fanoutCell, Detail: deliveryDetail,
		},
		{
			Name: "fanout-256", Workload: "the same with `websocket.send_buffer = 256`",
			Options: func(o systemOptions) systemOptions { o.SendBuffer = 256; return o },
			Run:     fanout.measure, Cell: fanoutCell, Detail: deliveryDetail,
		},
		{
			Name: "latency-50", Workload: fmt.Sprintf("paced %g msg/s to %d sockets, publish → receive p50 / p99", lat50.Rate, lat50.Sockets),
			Run: lat50.measure, Cell: latencyCell, Detail: deliveryDetail,
		},
		{
			Name: "latency-200", Workload: fmt.Sprintf("paced %g msg/s to %d sockets, p50 / p99", lat200.Rate, lat200.Sockets),
			Run: lat200.measure, Cell: latencyCell, Detail: deliveryDetail,
		},
		{
			Name: "publish", Workload: fmt.Sprintf("publish %s at concurrency 8 / 64, msg/s", thousands(rate.Messages)),
			Run: rate.measure, Cell: publishCell, Detail: publishCell,
		},
		{
			Name: "memory", Workload: fmt.Sprintf("resident memory idle (own: RssAnon, without the executable's pages) / per idle WebSocket (%s sockets)", thousands(mem.Sockets)),
			Run: mem.measure, Cell: memoryCell, Detail: memoryCell,
		},
		{
			Name: "login", Workload: fmt.Sprintf("%d wrong guesses from one address / %d concurrent wrong logins from as many addresses; resident memory idle → peak",
				login.Guesses, login.Flood),
			Options: trustLoopbackProxy,
			Run:     login.measure, Cell: loginCell, Detail: loginDetail,
		},
	}
}

// measure runs d and returns its figures.
func (d delivery) measure(ctx context.Context, sys system) (metrics, []string, error) {
	r, err := d.run(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	m := metrics{
		"sockets": float64(r.Sockets), "dropped": float64(r.Dropped), "missing_open": float64(r.MissingOpen),
		"count_only": float64(r.CountOnly), "reloads": float64(r.Reloads), "other": float64(r.Other),
		"reordered": float64(r.Order.Reordered), "inconsistent": float64(r.Order.Inconsistent),
		"duplicates": float64(r.Order.Duplicates), "frames_per_s": r.FramesPerSec, "publish_per_s": r.PublishPerSec,
		"p50_ms": ms(r.P50), "p99_ms": ms(r.P99), "max_ms": ms(r.Max), "publish_failures": float64(r.PublishFailures),
	}
	for b := range r.Expected {
		m["expected"] += float64(r.Expected[b])
		m["missing"] += float64(r.Missing[b])
		m[fmt.Sprintf("missing_%d", b+1)] = float64(r.Missing[b])
		m[fmt.Sprintf("expected_%d", b+1)] = float64(r.Expected[b])
	}
	for _, n := range r.Ended {
		m["ended_other"] += float64(n)
	}
	var notes []string
	if r.PublishErr != nil {
		notes = append(notes, fmt.Sprintf("first publish failure: %v", r.PublishErr))
	}
	for how, n := range r.Ended {
		notes = append(notes, fmt.Sprintf("%d sockets ended: %s", n, how))
	}
	return m, notes, nil
}

// measure runs w and returns its figures.
func (w publishRate) measure(ctx context.Context, sys system) (metrics, []string, error) {
	r, err := w.run(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	m := metrics{"publish_failures": float64(r.PublishFailures)}
	for i, c := range w.Concurrency {
		m[fmt.Sprintf("c%d", c)] = r.PerSec[i]
	}
	var notes []string
	if r.PublishErr != nil {
		notes = append(notes, fmt.Sprintf("first publish failure: %v", r.PublishErr))
	}
	return m, notes, nil
}

// measure runs m and returns its figures.
func (m memory) measure(ctx context.Context, sys system) (metrics, []string, error) {
	r, err := m.run(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	return metrics{"idle_bytes": float64(r.Idle), "idle_anon_bytes": float64(r.IdleAnon), "loaded_bytes": float64(r.Loaded), "per_socket_bytes": r.PerSocket}, nil, nil
}

func burstCell(m metrics) string {
	if m["missing"] == 0 && m["dropped"] == 0 {
		return "0 missing, 0 dropped" + orderNote(m)
	}
	return fmt.Sprintf("**%s of %s sockets dropped**: %s of %s frames never arrive (1st burst %s of %s, 2nd %s of %s)",
		thousands(int(m["dropped"])), thousands(int(m["sockets"])), thousands(int(m["missing"])), thousands(int(m["expected"])),
		thousands(int(m["missing_1"])), thousands(int(m["expected_1"])), thousands(int(m["missing_2"])), thousands(int(m["expected_2"]))) +
		orderNote(m)
}

func fanoutCell(m metrics) string {
	s := fmt.Sprintf("%.1fk frames/s, %s missing", m["frames_per_s"]/1000, percent(m["missing"], m["expected"]))
	if m["dropped"] > 0 {
		s += fmt.Sprintf(", %s of %s sockets dropped", thousands(int(m["dropped"])), thousands(int(m["sockets"])))
	}
	return s + orderNote(m)
}

func latencyCell(m metrics) string {
	s := fmt.Sprintf("%.1f / %.1f ms", m["p50_ms"], m["p99_ms"])
	if m["missing"] > 0 || m["dropped"] > 0 {
		s += fmt.Sprintf(" (%s missing, %s dropped)", percent(m["missing"], m["expected"]), thousands(int(m["dropped"])))
	}
	return s + orderNote(m)
}

func publishCell(m metrics) string {
	s := fmt.Sprintf("%s / %s", thousands(int(m["c8"]+0.5)), thousands(int(m["c64"]+0.5)))
	if m["publish_failures"] > 0 {
		s += fmt.Sprintf(" (%s failed)", thousands(int(m["publish_failures"])))
	}
	return s
}

func memoryCell(m metrics) string {
	return fmt.Sprintf("%.1f MiB (own %.1f MiB) / %.1f KiB", m["idle_bytes"]/(1<<20), m["idle_anon_bytes"]/(1<<20), m["per_socket_bytes"]/(1<<10))
}

// orderNote mentions order violations and failed publishes, if any.
func orderNote(m metrics) string {
	var notes []string
	if n := m["missing_open"]; n > 0 {
		notes = append(notes, fmt.Sprintf("**%s lost on sockets that stayed open**", thousands(int(n))))
	}
	if n := m["reordered"]; n > 0 {
		notes = append(notes, fmt.Sprintf("**%s out of publish order**", thousands(int(n))))
	}
	if n := m["inconsistent"]; n > 0 {
		notes = append(notes, fmt.Sprintf("%s out of step with the user's other sockets", thousands(int(n))))
	}
	if n := m["duplicates"]; n > 0 {
		notes = append(notes, fmt.Sprintf("%s duplicates", thousands(int(n))))
	}
	if n := m["publish_failures"]; n > 0 {
		notes = append(notes, fmt.Sprintf("%s publishes failed", thousands(int(n))))
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, ", ")
}

// deliveryDetail is the progress line of one delivery run.
func deliveryDetail(m metrics) string {
	return fmt.Sprintf("%s of %s frames missing (%s on sockets that stayed open), %s/%s sockets dropped, %s ended otherwise; %.0f frames/s, %.0f publishes/s; "+
		"p50 %.1f ms, p99 %.1f ms, max %.1f ms; %s count-only, %s reload frames; %s reordered, %s inconsistent, %s duplicates",
		thousands(int(m["missing"])), thousands(int(m["expected"])), thousands(int(m["missing_open"])),
		thousands(int(m["dropped"])), thousands(int(m["sockets"])),
		thousands(int(m["ended_other"])), m["frames_per_s"], m["publish_per_s"], m["p50_ms"], m["p99_ms"], m["max_ms"],
		thousands(int(m["count_only"])), thousands(int(m["reloads"])),
		thousands(int(m["reordered"])), thousands(int(m["inconsistent"])), thousands(int(m["duplicates"])))
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percent renders part of whole as a percentage.
func percent(part, whole float64) string {
	if whole == 0 || part == 0 {
		return "0 %"
	}
	p := 100 * part / whole
	if p < 1 {
		return fmt.Sprintf("%.2f %%", p)
	}
	return fmt.Sprintf("%.0f %%", p)
}

// thousands renders n with comma separators: 250,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
