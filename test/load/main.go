package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// maxRequests bounds any run, whatever -d says.
const maxRequests = 5_000_000

type options struct {
	bin          string
	dbURL        string
	baseURL      string
	scenario     string
	conns        int
	duration     time.Duration
	clientID     string
	clientSecret string
	pid          int
	jsonOut      bool
	startups     int
	// tokenPath and tokenForm let client-credentials drive another server's token endpoint (Dex:
	// -token-path /dex/token -token-form grant_type=client_credentials), for side-by-side figures.
	tokenPath string
	tokenForm string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "gatehouse binary to start on free loopback ports (omit to use -url)")
	flag.StringVar(&o.dbURL, "db", "", "DB_URL for the started server (default: a fresh SQLite file in a temp dir)")
	flag.StringVar(&o.baseURL, "url", "", "base URL of an already running server (loopback only), e.g. http://127.0.0.1:3001")
	flag.StringVar(&o.scenario, "scenario", "client-credentials", "client-credentials | discovery | management-read | signin | social | refresh | userinfo | startup")
	flag.IntVar(&o.conns, "c", 8, "concurrent keep-alive connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "duration of the run (max 5m)")
	flag.StringVar(&o.clientID, "client-id", "", "M2M client id (with -url)")
	flag.StringVar(&o.tokenPath, "token-path", "/oidc/token", "token endpoint path (client-credentials with -url; another server's for comparisons)")
	flag.StringVar(&o.tokenForm, "token-form", "grant_type=client_credentials&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all", "URL-encoded token request body (client-credentials)")
	flag.StringVar(&o.clientSecret, "client-secret", "", "M2M client secret (with -url)")
	flag.IntVar(&o.pid, "pid", 0, "server pid whose RSS to sample (with -url)")
	flag.BoolVar(&o.jsonOut, "json", false, "print the result as one JSON object")
	flag.IntVar(&o.startups, "startups", 5, "start-ups to time (scenario startup)")
	flag.Parse()
	if o.bin != "" {
		// The server runs in a temporary directory, so a relative path must be resolved first.
		abs, err := filepath.Abs(o.bin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load: "+err.Error())
			os.Exit(1)
		}
		o.bin = abs
	}
	if err := masterKeyForPostgres(o.dbURL); err != nil {
		fmt.Fprintln(os.Stderr, "load: "+err.Error())
		os.Exit(1)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "load: "+err.Error())
		os.Exit(1)
	}
}

// masterKeyForPostgres gives the servers this tool starts on PostgreSQL a master key when the
// environment has none (Gatehouse refuses PostgreSQL without one): one for the whole run, so
// every start of the startup scenario opens what the first one sealed.
func masterKeyForPostgres(dbURL string) error {
	if !strings.HasPrefix(dbURL, "postgres") || os.Getenv("GATEHOUSE_MASTER_KEY") != "" || os.Getenv("GATEHOUSE_MASTER_KEY_FILE") != "" {
		return nil
	}
	fmt.Fprintln(os.Stderr, "load: GATEHOUSE_MASTER_KEY is not set; using a new one for this run (set it to reuse the database in another run)")
	return os.Setenv("GATEHOUSE_MASTER_KEY", secretbox.GenerateMasterKey().Encode())
}

func run(o options) error {
	if o.conns < 1 || o.conns > 512 {
		return errors.New("-c must be 1..512")
	}
	if o.duration <= 0 || o.duration > 5*time.Minute {
		return errors.New("-d must be in (0, 5m]")
	}
	if o.scenario == "startup" {
		if o.bin == "" {
			return errors.New("scenario startup needs -bin")
		}
		return timeStartups(o)
	}
	if o.bin != "" {
		srv, err := startServer(o.bin, o.dbURL)
		if err != nil {
			return err
		}
		defer srv.stop()
		fmt.Fprintf(os.Stderr, "server pid %d ready at %s after %s\n", srv.cmd.Process.Pid, srv.base, srv.startup.Round(time.Millisecond))
		o.baseURL, o.pid = srv.base, srv.cmd.Process.Pid
		if o.scenario != "discovery" {
			id, secret, err := srv.createM2MApp()
			if err != nil {
				return err
			}
			o.clientID, o.clientSecret = id, secret
		}
	}
	if o.baseURL == "" {
		return errors.New("give -bin or -url")
	}
	if err := requireLoopback(o.baseURL); err != nil {
		return err
	}
	workers, err := buildWorkers(o)
	if err != nil {
		return err
	}
	res, err := drive(o, workers)
	if err != nil {
		return err
	}
	res.Scenario = o.scenario
	report(o, res)
	return nil
}

// requireLoopback refuses any target that is not on this machine.
func requireLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("bad -url: %w", err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to load %s: only loopback targets are allowed", host)
}

// requestFactory builds a fresh request for each call (bodies are single-use).
type requestFactory func() *http.Request

// buildWorkers picks the scenario: single requests, or whole flows (flows.go).
func buildWorkers(o options) (workerFactory, error) {
	switch o.scenario {
	case "signin", "refresh", "userinfo", "social":
		return flowWorkers(o)
	}
	req, err := buildScenario(o)
	if err != nil {
		return nil, err
	}
	return requestWorkers(o, req), nil
}

func buildScenario(o options) (requestFactory, error) {
	base := strings.TrimRight(o.baseURL, "/")
	switch o.scenario {
	case "discovery":
		return func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, base+"/oidc/.well-known/openid-configuration", nil)
			return r
		}, nil
	case "client-credentials":
		if o.clientID == "" || o.clientSecret == "" {
			return nil, errors.New("client-credentials needs a client id and secret")
		}
		body := o.tokenForm
		return func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+o.tokenPath, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.SetBasicAuth(url.QueryEscape(o.clientID), url.QueryEscape(o.clientSecret))
			return r
		}, nil
	case "management-read":
		tok, err := fetchToken(base, o.clientID, o.clientSecret)
		if err != nil {
			return nil, err
		}
		return func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, base+"/api/applications?page=1&page_size=20", nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}, nil
	}
	return nil, fmt.Errorf("unknown scenario %q", o.scenario)
}

func fetchToken(base, id, secret string) (string, error) {
	if id == "" || secret == "" {
		return "", errors.New("management-read needs a client id and secret")
	}
	body := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://default.logto.app/api"}, "scope": {"all"}}.Encode()
	r, _ := http.NewRequest(http.MethodPost, base+"/oidc/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("token request failed: status %d", resp.StatusCode)
	}
	return tr.AccessToken, nil
}

type result struct {
	Scenario    string  `json:"scenario"`
	Conns       int     `json:"connections"`
	Seconds     float64 `json:"seconds"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RPS         float64 `json:"requests_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	MaxRSSMB    float64 `json:"server_max_rss_mb"`
	FirstErrMsg string  `json:"first_error,omitempty"`
}

// operation is one measured unit of work (a request, or a whole sign-in flow).
type operation func(ctx context.Context) error

// workerFactory gives each concurrent worker its own operation (its own client, user, tokens).
type workerFactory func(w int) (operation, error)

// requestWorkers turns a request factory into workers sharing one keep-alive client.
func requestWorkers(o options, newReq requestFactory) workerFactory {
	transport := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	return func(int) (operation, error) {
		return func(ctx context.Context) error {
			resp, err := client.Do(newReq().WithContext(ctx))
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}, nil
	}
}

func drive(o options, workers workerFactory) (result, error) {
	ops := make([]operation, o.conns)
	for w := range ops {
		op, err := workers(w)
		if err != nil {
			return result{}, fmt.Errorf("prepare worker %d: %w", w, err)
		}
		ops[w] = op
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()

	var total, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, o.conns)
	rssDone := make(chan float64)
	go func() { rssDone <- sampleRSS(ctx, o.pid) }()

	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < o.conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1<<16)
			for ctx.Err() == nil && total.Add(1) <= maxRequests {
				t0 := time.Now()
				err := ops[w](ctx)
				if ctx.Err() != nil && err != nil {
					total.Add(-1) // cut off by the deadline, not a server error
					break
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			lat[w] = mine
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	maxRSS := <-rssDone

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	r := result{
		Conns: o.conns, Seconds: elapsed.Seconds(), Requests: int64(len(all)) + errs.Load(), Errors: errs.Load(),
		RPS: float64(len(all)) / elapsed.Seconds(), P50ms: pct(0.50), P99ms: pct(0.99), MaxMs: pct(1), MaxRSSMB: maxRSS,
	}
	if v, ok := firstErr.Load().(string); ok {
		r.FirstErrMsg = v
	}
	return r, nil
}

// sampleRSS returns the largest VmRSS of pid (MB) seen every 50 ms until ctx ends; 0 without a pid.
func sampleRSS(ctx context.Context, pid int) float64 {
	if pid == 0 {
		<-ctx.Done()
		return 0
	}
	maxKB := 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if kb := rssKB(pid); kb > maxKB {
			maxKB = kb
		}
		select {
		case <-ctx.Done():
			return float64(maxKB) / 1024
		case <-tick.C:
		}
	}
}

func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return kb
			}
		}
	}
	return 0
}

func report(o options, r result) {
	if o.jsonOut {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return
	}
	fmt.Printf("scenario %s: %d connections, %.1f s\n", r.Scenario, r.Conns, r.Seconds)
	fmt.Printf("  requests/s   %.0f\n  latency      p50 %.2f ms   p99 %.2f ms   max %.2f ms\n", r.RPS, r.P50ms, r.P99ms, r.MaxMs)
	fmt.Printf("  requests     %d   errors %d\n", r.Requests, r.Errors)
	if r.MaxRSSMB > 0 {
		fmt.Printf("  server RSS   %.1f MB max during the run\n", r.MaxRSSMB)
	}
	if r.FirstErrMsg != "" {
		fmt.Printf("  first error  %s\n", r.FirstErrMsg)
	}
}

// server is a gatehouse process started on free loopback ports.
type server struct {
	cmd     *exec.Cmd
	bin     string
	env     []string
	base    string
	dir     string
	startup time.Duration
	stderr  *tailBuffer
}

// tailBuffer keeps the last 64 KiB written to it: enough to explain a failed start without
// growing with every request the server logs during a run.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 64<<10; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { t.mu.Lock(); defer t.mu.Unlock(); return string(t.b) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer(bin, dbURL string) (*server, error) {
	dir, err := os.MkdirTemp("", "gatehouse-load-")
	if err != nil {
		return nil, err
	}
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(dir, "gatehouse.db")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	adminPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", port), stderr: &tailBuffer{}}
	s.env = append(os.Environ(), "DB_URL="+dbURL, "PORT="+strconv.Itoa(port), "ADMIN_PORT="+strconv.Itoa(adminPort),
		fmt.Sprintf("ENDPOINT=http://127.0.0.1:%d", port), fmt.Sprintf("ADMIN_ENDPOINT=http://127.0.0.1:%d", adminPort))
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env, s.cmd.Dir = s.env, dir
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.stderr
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	if err := waitReady(s.base, 30*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; server said: %s", err, s.stderr.String())
	}
	s.startup = time.Since(t0)
	return s, nil
}

// waitReady polls discovery every millisecond until it answers 200.
func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := c.Get(base + "/oidc/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("server not ready after %s", limit)
}

func (s *server) createM2MApp() (string, string, error) {
	cmd := exec.Command(s.bin, "app", "create", "--type", "MachineToMachine", "--name", "load", "--role", "Logto Management API access")
	cmd.Env, cmd.Dir = s.env, s.dir
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("gatehouse app create: %w", err)
	}
	var created struct{ ID, Secret string }
	if err := json.Unmarshal(out, &created); err != nil || created.ID == "" {
		return "", "", fmt.Errorf("gatehouse app create printed %q", out)
	}
	// The server sees the new client and role within one freshness interval.
	time.Sleep(1100 * time.Millisecond)
	return created.ID, created.Secret, nil
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	_ = os.RemoveAll(s.dir)
}

// timeStartups starts the binary on a fresh SQLite database and again on the now-seeded one,
// measuring process start to the first 200 from discovery.
func timeStartups(o options) error {
	dir, err := os.MkdirTemp("", "gatehouse-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := o.dbURL
	if db == "" {
		db = "sqlite:" + filepath.Join(dir, "gatehouse.db")
	}
	var times []time.Duration
	for i := 0; i < o.startups; i++ {
		s, err := startServer(o.bin, db)
		if err != nil {
			return err
		}
		times = append(times, s.startup)
		s.stop()
	}
	fmt.Printf("start-up to first 200 from discovery: first (empty database, migrate + seed) %s\n", times[0].Round(time.Millisecond))
	if len(times) > 1 {
		rest := append([]time.Duration(nil), times[1:]...)
		sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
		fmt.Printf("  later start-ups (seeded database): median %s, max %s over %d\n", rest[len(rest)/2].Round(time.Millisecond), rest[len(rest)-1].Round(time.Millisecond), len(rest))
	}
	return nil
}
