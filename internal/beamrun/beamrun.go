// Package beamrun runs a Beam pipeline on the runner that the command line
// chose, under a deadline, reporting the job's live counters while it runs.
//
// The runner is chosen with Beam's own flags, which Beam registers on the
// standard flag set and which this package reads, never redefines:
//
//	(none), --runner prism       in-process Prism (the default)
//	--runner universal --endpoint HOST:PORT [--environment_type LOOPBACK|PROCESS|DOCKER|EXTERNAL] [--environment_config ...]
//	                             any portable job server; flink, spark and portable are the same
//	--runner dataflow            Google Cloud Dataflow, with Beam's Dataflow flags (--project, --region, --staging_location, ...)
//	--worker_binary FILE         the worker binary a cluster stages (a static linux/amd64 build)
//
// A program calls flag.Parse, then beam.Init (a worker never returns from
// it), then RouteLogs, then builds its pipeline and calls Run.
package beamrun

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/metricsx"
	jobpb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/jobmanagement_v1"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// DefaultTimeout is the deadline of a job when Options.Timeout is zero.
const DefaultTimeout = 6 * time.Hour

// DefaultPollInterval is how often Run asks the job service for the job's
// counters when Options.PollInterval is zero.
const DefaultPollInterval = time.Second

// cancelGrace is how long Run waits for the runner's client to return
// after the job was cancelled before it gives up on it.
const cancelGrace = 30 * time.Second

// Options configure Run.
type Options struct {
	// Timeout bounds the whole run, submission included; the job is
	// cancelled when it expires. Zero means DefaultTimeout. A deadline
	// is never optional: a Prism worker that dies can leave the client
	// waiting forever. (A Dataflow job is only abandoned, not cancelled:
	// cancel it with gcloud dataflow jobs cancel.)
	Timeout time.Duration
	// Progress, when not nil, receives a snapshot of the job's live
	// counters every PollInterval while the job runs. It is called from
	// one goroutine at a time and must return quickly. Dataflow jobs
	// send no snapshots.
	Progress func(Snapshot)
	// PollInterval is the interval between snapshots; zero means
	// DefaultPollInterval.
	PollInterval time.Duration
}

// Snapshot is the state of a running job.
type Snapshot struct {
	// Elapsed is the time since Run started.
	Elapsed time.Duration
	// State is the job service's state of the job, such as "RUNNING".
	State string
	// Counters are the job's user counters by name, as attempted so far
	// (work of bundles that will be retried included). Counters of the
	// same name in several steps or namespaces add up. A counter never
	// shows less than in an earlier snapshot of the same run.
	Counters map[string]int64
}

// Result is the outcome of a finished job.
type Result struct {
	// Runner is the runner that ran the job, as Run understood the
	// --runner flag: "prism", "universal" or "dataflow".
	Runner string
	// Endpoint is the job service the job was submitted to; empty for
	// Dataflow.
	Endpoint string
	// JobID is the job's identifier on the runner.
	JobID string
	// Counters are the job's final user counters by name, committed
	// values where the runner reports them, else attempted ones.
	Counters map[string]int64
	// Elapsed is the wall time of Run.
	Elapsed time.Duration
}

// runnerKind returns the kind of runner a --runner value selects.
func runnerKind(name string) (string, error) {
	switch strings.ToLower(name) {
	case "", "prism", "prismrunner":
		return "prism", nil
	case "universal", "portable", "portablerunner", "flink", "flinkrunner", "spark", "sparkrunner":
		return "universal", nil
	case "dataflow", "dataflowrunner":
		return "dataflow", nil
	case "direct", "directrunner":
		return "", fmt.Errorf("--runner %s: the direct runner is deprecated; use prism (the default)", name)
	}
	return "", fmt.Errorf("--runner %s: unknown runner; want prism (the default), universal (with --endpoint; also flink, spark, portable) or dataflow", name)
}

// Run runs the pipeline on the runner chosen by Beam's --runner flag and
// waits until it finishes, fails, or Options.Timeout passes, in which case
// the job is cancelled. Run needs beam.Init to have been called.
//
// For the default in-process Prism, Run starts a Prism job server on a
// free localhost port and submits to it as --runner universal
// --environment_type LOOPBACK would, so that there is a job service to
// ask for live counters; for the run, it sets Beam's --endpoint (and
// --environment_type when empty) to that server, and restores them after.
// When --job_name is empty, Run sets a unique one for the run, by which
// it finds the job on the job service. Run must not be called
// concurrently with itself.
func Run(ctx context.Context, p *beam.Pipeline, opts Options) (*Result, error) {
	if !beam.Initialized() {
		return nil, errors.New("beamrun: beam.Init was not called before Run")
	}
	if opts.Timeout < 0 || opts.PollInterval < 0 {
		return nil, fmt.Errorf("beamrun: negative timeout %v or poll interval %v", opts.Timeout, opts.PollInterval)
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	kind, err := runnerKind(*runners.Runner)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	res := &Result{Runner: kind}
	if kind == "dataflow" {
		pr, err := await(ctx, func(ctx context.Context) (beam.PipelineResult, error) { return dataflow.Execute(ctx, p) })
		res.Elapsed = time.Since(start)
		if err != nil {
			return res, runError(parent, ctx, opts.Timeout, "dataflow", err)
		}
		res.JobID = pr.JobID()
		res.Counters = counters(pr.Metrics())
		return res, nil
	}

	restore := setFlags()
	defer restore()
	if *jobopts.Endpoint == "" {
		if kind == "universal" {
			return nil, fmt.Errorf("--runner %s needs --endpoint HOST:PORT, the job server's address", *runners.Runner)
		}
		endpoint, err := startPrism(ctx)
		if err != nil {
			return nil, err
		}
		flag.Set("endpoint", endpoint)
		if *jobopts.EnvironmentType == "" {
			flag.Set("environment_type", "LOOPBACK")
		}
	}
	if *jobopts.JobName == "" {
		flag.Set("job_name", fmt.Sprintf("tfxc-%d", time.Now().UnixNano()))
	}
	res.Endpoint = *jobopts.Endpoint

	conn, err := grpc.NewClient(res.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connecting to the job service at %s: %w", res.Endpoint, err)
	}
	defer conn.Close()
	w := &watcher{
		client:   jobpb.NewJobServiceClient(conn),
		name:     *jobopts.JobName,
		start:    start,
		interval: opts.PollInterval,
		progress: opts.Progress,
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		w.watch(watchCtx)
	}()
	pr, err := w.execute(ctx, p)
	stopWatch()
	<-watched
	res.Elapsed = time.Since(start)
	if pr != nil {
		res.JobID = pr.JobID()
	}
	if res.JobID == "" {
		res.JobID = w.find(context.Background())
	}
	if err != nil {
		return res, runError(parent, ctx, opts.Timeout, res.Endpoint, err)
	}
	// A job cancelled on the server (from its web UI, say) ends the
	// client's wait as if it had succeeded.
	if st, err := w.state(res.JobID); err == nil && st != jobpb.JobState_DONE {
		return res, fmt.Errorf("job %s on %s ended %s", res.JobID, res.Endpoint, st)
	}
	res.Counters = counters(pr.Metrics())
	return res, nil
}

// await runs execute and returns what it returns, or an error when ctx is
// done and execute has not returned within cancelGrace, leaving it behind:
// a client waiting for a worker that died never returns.
func await(ctx context.Context, execute func(context.Context) (beam.PipelineResult, error)) (beam.PipelineResult, error) {
	done := make(chan outcome, 1)
	go func() {
		pr, err := execute(ctx)
		done <- outcome{pr, err}
	}()
	select {
	case o := <-done:
		return o.pr, o.err
	case <-ctx.Done():
	}
	return waitAfterCancel(ctx, done, nil)
}

// outcome is what a runner's Execute returned.
type outcome struct {
	pr  beam.PipelineResult
	err error
}

// waitAfterCancel waits cancelGrace for a cancelled run to return. If it
// does not, it calls stop, when not nil, and waits a little more, then
// gives up on it.
func waitAfterCancel(ctx context.Context, done <-chan outcome, stop func()) (beam.PipelineResult, error) {
	t := time.NewTimer(cancelGrace)
	defer t.Stop()
	for {
		select {
		case o := <-done:
			if o.err == nil {
				o.err = ctx.Err()
			}
			return o.pr, o.err
		case <-t.C:
			if stop == nil {
				return nil, fmt.Errorf("the runner's client did not return within %v of the cancellation: %w", cancelGrace, ctx.Err())
			}
			stop()
			stop = nil
			t.Reset(5 * time.Second)
		}
	}
}

// runError explains why a run failed: its own deadline, the caller's
// cancellation, or the job.
func runError(parent, ctx context.Context, timeout time.Duration, where string, err error) error {
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("the job on %s was cancelled: %w", where, context.Cause(parent))
	case ctx.Err() != nil:
		return fmt.Errorf("the job on %s did not finish within %v and was cancelled: %w", where, timeout, err)
	}
	return fmt.Errorf("the job on %s failed: %w", where, err)
}

// setFlags returns a function that restores the Beam flags Run may set.
func setFlags() (restore func()) {
	saved := map[string]string{}
	for _, name := range []string{"endpoint", "environment_type", "job_name"} {
		saved[name] = flag.Lookup(name).Value.String()
	}
	return func() {
		for name, v := range saved {
			flag.Set(name, v)
		}
	}
}

// startPrism starts an in-process Prism job server on a free localhost
// port and returns its endpoint. The server lives as long as the process.
func startPrism(ctx context.Context) (endpoint string, err error) {
	// Prism listens on a port it is given and does not tell which one it
	// took when given 0, so take a free one and hand it over. Another
	// process may grab it in between; then Prism panics, and Run tries
	// another.
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		err = func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%v", r)
				}
			}()
			_, err = prism.CreateJobServer(ctx, prism.Options{Port: port})
			return err
		}()
		if err == nil {
			return fmt.Sprintf("localhost:%d", port), nil
		}
		if attempt == 2 {
			return "", fmt.Errorf("starting the in-process Prism job server: %w", err)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port for the Prism job server: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// counters sums a job's user counters by name.
func counters(r metrics.Results) map[string]int64 {
	m := map[string]int64{}
	for _, c := range r.AllMetrics().Counters() {
		m[c.Name()] += c.Result()
	}
	return m
}

// watcher follows a job on a job service: it finds the job by its unique
// name, reports its counters, and cancels it when the run's context ends
// before the job does.
type watcher struct {
	client   jobpb.JobServiceClient
	name     string
	start    time.Time
	interval time.Duration
	progress func(Snapshot)

	mu    sync.Mutex
	jobID string // once found

	seen map[string]int64 // the largest live value of each counter
}

// execute submits the pipeline to the job service with the universal
// runner and waits for the job to end. When ctx ends first, it cancels the
// job on the job service, lets the client see the cancellation, and only
// then, if it must, cancels the client's own context.
//
// The client never runs under ctx itself: an in-process Prism panics (and
// so ends the process) when a worker's data stream fails with any error
// but Canceled, such as the DeadlineExceeded of a context with a deadline.
func (w *watcher) execute(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	execCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	done := make(chan outcome, 1)
	go func() {
		pr, err := universal.Execute(execCtx, p)
		done <- outcome{pr, err}
	}()
	select {
	case o := <-done:
		return o.pr, o.err
	case <-ctx.Done():
	}
	w.cancel()
	return waitAfterCancel(ctx, done, stop)
}

// watch polls the job service until ctx is done.
func (w *watcher) watch(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.poll(ctx)
	}
}

func (w *watcher) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, w.interval+5*time.Second)
	defer cancel()
	id := w.find(ctx)
	if w.progress == nil || id == "" {
		return
	}
	st, err := w.client.GetState(ctx, &jobpb.GetJobStateRequest{JobId: id})
	if err != nil {
		return
	}
	m, err := w.client.GetJobMetrics(ctx, &jobpb.GetJobMetricsRequest{JobId: id})
	if err != nil {
		return
	}
	res := metricsx.FromMonitoringInfos(nil, m.GetMetrics().GetAttempted(), m.GetMetrics().GetCommitted())
	live := map[string]int64{}
	for _, c := range res.AllMetrics().Counters() {
		// While the job runs, attempted values are the live ones.
		live[c.Name()] += max(c.Attempted, c.Committed)
	}
	// Prism's live values can dip while bundles finish (seen: lines
	// 517, then 301); a progress line should not go back.
	if w.seen == nil {
		w.seen = map[string]int64{}
	}
	for name, v := range live {
		live[name] = max(v, w.seen[name])
		w.seen[name] = live[name]
	}
	w.progress(Snapshot{Elapsed: time.Since(w.start), State: st.GetState().String(), Counters: live})
}

// find returns the job's id, looking the job up by name on the job
// service unless it was found before; "" if it is not there yet.
func (w *watcher) find(ctx context.Context) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobID != "" {
		return w.jobID
	}
	jobs, err := w.client.GetJobs(ctx, &jobpb.GetJobsRequest{})
	if err != nil {
		return ""
	}
	for _, j := range jobs.GetJobInfo() {
		if j.GetJobName() == w.name {
			w.jobID = j.GetJobId()
		}
	}
	return w.jobID
}

// cancel asks the job service to cancel the job, if it was submitted.
func (w *watcher) cancel() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if id := w.find(ctx); id != "" {
		w.client.Cancel(ctx, &jobpb.CancelJobRequest{JobId: id})
	}
}

// state returns the job's state on the job service.
func (w *watcher) state(jobID string) (jobpb.JobState_Enum, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := w.client.GetState(ctx, &jobpb.GetJobStateRequest{JobId: jobID})
	if err != nil {
		return jobpb.JobState_UNSPECIFIED, err
	}
	return st.GetState(), nil
}
