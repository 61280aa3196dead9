package mlmd

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// selectRuns selects the columns queryRuns reads; a query adds its WHERE and
// ORDER BY clauses.
const selectRuns = `SELECT r.id, p.name, c.name, r.state, r.start_ns, r.end_ns, r.blessed, r.pushed, r.note
FROM runs r JOIN contexts c ON c.id = r.context JOIN contexts p ON p.id = r.pipeline `

// newestFirst orders runs newest first.
const newestFirst = ` ORDER BY r.start_ns DESC, r.id DESC`

// Runs lists the runs of pipeline ("" for every pipeline), newest first.
func (s *Store) Runs(pipeline string) ([]Run, error) {
	var runs []Run
	err := s.read(func(tx *sql.Tx) error {
		var err error
		runs, err = queryRuns(tx, selectRuns+`WHERE ? = '' OR p.name = ?`+newestFirst, pipeline, pipeline)
		return err
	})
	if err != nil {
		if pipeline == "" {
			return nil, fmt.Errorf("mlmd: listing runs: %w", err)
		}
		return nil, fmt.Errorf("mlmd: listing runs of %s: %w", pipeline, err)
	}
	return runs, nil
}

// FindRun finds a run by its numeric ID, its folder (absolute or relative
// to the working directory), or the last element of its folder (the stamp,
// e.g. "20261126-230501"). A number that is a run's ID is that run; an
// unknown reference is an error wrapping ErrNotFound, and one that names
// several runs (the same stamp in two pipelines) an error that lists them,
// both naming the reference.
func (s *Store) FindRun(ref string) (*Run, error) {
	if ref == "" {
		return nil, errors.New("mlmd: find run: empty reference")
	}
	var found []Run
	err := s.read(func(tx *sql.Tx) error {
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			runs, err := queryRuns(tx, selectRuns+`WHERE r.id = ?`, id)
			if err != nil || len(runs) > 0 {
				found = runs
				return err
			}
		}
		abs, err := filepath.Abs(ref)
		if err != nil {
			return err
		}
		stamp := filepath.Clean(ref)
		// A stamp is the last element of the folder: narrow the runs down
		// in SQL (with instr, which has no wildcards, unlike LIKE), then
		// compare exactly.
		runs, err := queryRuns(tx, selectRuns+`WHERE c.name = ? OR instr(c.name, ?) > 0`+newestFirst, abs, stamp)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Dir == abs || filepath.Base(r.Dir) == stamp {
				found = append(found, r)
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("mlmd: find run %q: %w", ref, err)
	case len(found) == 0:
		return nil, fmt.Errorf("mlmd: run %q: %w", ref, ErrNotFound)
	case len(found) > 1:
		var names []string
		for _, r := range found {
			names = append(names, fmt.Sprintf("run %d (%s)", r.ID, r.Dir))
		}
		return nil, fmt.Errorf("mlmd: run %q is ambiguous: it could be %s", ref, strings.Join(names, " or "))
	}
	return &found[0], nil
}

// LatestBlessed returns the newest blessed, complete run of pipeline other
// than the run except (0 for none), or nil, nil when there is none.
func (s *Store) LatestBlessed(pipeline string, except int64) (*Run, error) {
	var runs []Run
	err := s.read(func(tx *sql.Tx) error {
		var err error
		runs, err = queryRuns(tx, selectRuns+`WHERE p.name = ? AND r.blessed AND r.state = ? AND r.id != ?`+newestFirst+` LIMIT 1`,
			pipeline, string(Complete), except)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mlmd: latest blessed run of %s: %w", pipeline, err)
	}
	if len(runs) == 0 {
		return nil, nil
	}
	return &runs[0], nil
}

// queryRuns runs a query of selectRuns and reads the runs with their
// metrics.
func queryRuns(tx *sql.Tx, query string, args ...any) ([]Run, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		var r Run
		var start, end sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Pipeline, &r.Dir, &r.State, &start, &end, &r.Blessed, &r.Pushed, &r.Note); err != nil {
			return nil, err
		}
		r.Start, r.End = fromNanos(start), fromNanos(end)
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range runs {
		if runs[i].Metrics, err = runMetrics(tx, runs[i].ID); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// runMetrics reads a run's metrics, nil when it has none.
func runMetrics(tx *sql.Tx, run int64) (map[string]float64, error) {
	rows, err := tx.Query(`SELECT name, value FROM run_metrics WHERE run = ?`, run)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var m map[string]float64
	for rows.Next() {
		var name string
		var value sql.NullFloat64
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		if m == nil {
			m = map[string]float64{}
		}
		m[name] = math.NaN()
		if value.Valid {
			m[name] = value.Float64
		}
	}
	return m, rows.Err()
}

// Executions returns a run's executions in the order recorded, each with
// its inputs and outputs in the order recorded.
func (s *Store) Executions(run int64) ([]Execution, error) {
	var execs []Execution
	err := s.read(func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)`, run).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		var err error
		execs, err = queryExecutions(tx, `x.run = ?`, run)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mlmd: executions of run %d: %w", run, err)
	}
	return execs, nil
}

// Events returns an execution's events in the order recorded: its inputs,
// then its outputs. An unknown execution is an error wrapping ErrNotFound.
func (s *Store) Events(execution int64) ([]Event, error) {
	var execs []Execution
	err := s.read(func(tx *sql.Tx) error {
		var err error
		execs, err = queryExecutions(tx, `x.id = ?`, execution)
		return err
	})
	if err == nil && len(execs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mlmd: events of execution %d: %w", execution, err)
	}
	var events []Event
	for _, a := range execs[0].Inputs {
		events = append(events, Event{Kind: Input, Artifact: a})
	}
	for _, a := range execs[0].Outputs {
		events = append(events, Event{Kind: Output, Artifact: a})
	}
	return events, nil
}

// Producer returns the execution that output the artifact (the first one
// recorded, should several have output it), or nil, nil when none did, as
// for a pipeline's source data. An unknown artifact is an error wrapping
// ErrNotFound.
func (s *Store) Producer(artifact int64) (*Execution, error) {
	execs, err := s.artifactExecutions(artifact, Output)
	if err != nil {
		return nil, fmt.Errorf("mlmd: producer of artifact %d: %w", artifact, err)
	}
	if len(execs) == 0 {
		return nil, nil
	}
	return &execs[0], nil
}

// Consumers returns the executions that took the artifact as input, in the
// order recorded, across every run. An unknown artifact is an error
// wrapping ErrNotFound.
func (s *Store) Consumers(artifact int64) ([]Execution, error) {
	execs, err := s.artifactExecutions(artifact, Input)
	if err != nil {
		return nil, fmt.Errorf("mlmd: consumers of artifact %d: %w", artifact, err)
	}
	return execs, nil
}

// artifactExecutions returns the executions with an event of the kind on
// the artifact.
func (s *Store) artifactExecutions(artifact int64, kind string) ([]Execution, error) {
	var execs []Execution
	err := s.read(func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM artifacts WHERE id = ?)`, artifact).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		var err error
		execs, err = queryExecutions(tx, `x.id IN (SELECT execution FROM events WHERE artifact = ? AND kind = ?)`, artifact, kind)
		return err
	})
	return execs, err
}

// queryExecutions reads the executions x matching the condition, in the
// order recorded, with their properties, inputs and outputs.
func queryExecutions(tx *sql.Tx, cond string, args ...any) ([]Execution, error) {
	rows, err := tx.Query(`SELECT x.id, x.run, x.stage, x.kind, x.state, x.fingerprint, x.start_ns, x.end_ns
FROM executions x WHERE `+cond+` ORDER BY x.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var execs []Execution
	index := map[int64]int{}
	for rows.Next() {
		var e Execution
		var start, end sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Run, &e.Stage, &e.Kind, &e.State, &e.Fingerprint, &start, &end); err != nil {
			return nil, err
		}
		e.Start, e.End = fromNanos(start), fromNanos(end)
		index[e.ID] = len(execs)
		execs = append(execs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(execs) == 0 {
		return nil, nil
	}

	err = scanEach(tx, `SELECT p.execution, p.name, p.value FROM execution_properties p
WHERE p.execution IN (SELECT x.id FROM executions x WHERE `+cond+`)`, args, func(rows *sql.Rows) error {
		var id int64
		var name, value string
		if err := rows.Scan(&id, &name, &value); err != nil {
			return err
		}
		e := &execs[index[id]]
		if e.Properties == nil {
			e.Properties = map[string]string{}
		}
		e.Properties[name] = value
		return nil
	})
	if err != nil {
		return nil, err
	}

	artifactProps := map[int64]map[string]string{}
	err = scanEach(tx, `SELECT p.artifact, p.name, p.value FROM artifact_properties p
WHERE p.artifact IN (SELECT e.artifact FROM events e JOIN executions x ON x.id = e.execution WHERE `+cond+`)`, args, func(rows *sql.Rows) error {
		var id int64
		var name, value string
		if err := rows.Scan(&id, &name, &value); err != nil {
			return err
		}
		if artifactProps[id] == nil {
			artifactProps[id] = map[string]string{}
		}
		artifactProps[id][name] = value
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = scanEach(tx, `SELECT e.execution, e.kind, a.id, a.type, a.uri, a.hash
FROM events e JOIN executions x ON x.id = e.execution JOIN artifacts a ON a.id = e.artifact
WHERE `+cond+` ORDER BY e.id`, args, func(rows *sql.Rows) error {
		var id int64
		var kind string
		var a Artifact
		if err := rows.Scan(&id, &kind, &a.ID, &a.Type, &a.URI, &a.Hash); err != nil {
			return err
		}
		a.Properties = maps.Clone(artifactProps[a.ID]) // two artifacts never share a map
		e := &execs[index[id]]
		if kind == Input {
			e.Inputs = append(e.Inputs, a)
		} else {
			e.Outputs = append(e.Outputs, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return execs, nil
}

// scanEach runs a query and calls f on each row.
func scanEach(tx *sql.Tx, query string, args []any, f func(*sql.Rows) error) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// read runs f in one read transaction, so that its queries see one state
// of the store.
func (s *Store) read(f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return f(tx)
}

// LatestExecution returns the newest execution of a stage, in any run of
// the pipeline, that has the fingerprint and one of the states, or nil,
// nil when there is none: the candidate whose outputs a new run may reuse.
func (s *Store) LatestExecution(pipeline, stage, fingerprint string, states ...State) (*Execution, error) {
	var execs []Execution
	err := s.read(func(tx *sql.Tx) error {
		args := []any{pipeline, stage, fingerprint}
		marks := make([]string, len(states))
		for i, st := range states {
			marks[i] = "?"
			args = append(args, string(st))
		}
		if len(states) == 0 {
			marks = []string{"NULL"}
		}
		var err error
		execs, err = queryExecutions(tx, `x.id = (SELECT x2.id FROM executions x2
	JOIN runs r ON r.id = x2.run JOIN contexts c ON c.id = r.pipeline
	WHERE c.type = 'pipeline' AND c.name = ? AND x2.stage = ? AND x2.fingerprint = ? AND x2.state IN (`+strings.Join(marks, ", ")+`)
	ORDER BY x2.id DESC LIMIT 1)`, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mlmd: latest execution of %s %s: %w", pipeline, stage, err)
	}
	if len(execs) == 0 {
		return nil, nil
	}
	return &execs[0], nil
}
