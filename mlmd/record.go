package mlmd

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"
)

// BeginRun records a new run of pipeline whose artifacts go to dir, in
// state Running, and returns its ID. It creates the pipeline's context if
// needed. dir is made absolute; a folder already recorded as a run's is an
// error.
func (s *Store) BeginRun(pipeline, dir string, start time.Time) (int64, error) {
	if pipeline == "" {
		return 0, errors.New("mlmd: begin run: no pipeline name")
	}
	if start.IsZero() {
		return 0, fmt.Errorf("mlmd: begin run of %s: no start time", pipeline)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, fmt.Errorf("mlmd: begin run of %s: %w", pipeline, err)
	}
	var id int64
	err = s.write(func(tx *sql.Tx) error {
		pctx, err := upsertContext(tx, "pipeline", pipeline, 0)
		if err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM contexts WHERE type = 'run' AND name = ?)`, abs).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("%s is already the folder of a recorded run", abs)
		}
		rctx, err := upsertContext(tx, "run", abs, pctx)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO runs (context, pipeline, state, start_ns) VALUES (?, ?, ?, ?)`,
			rctx, pctx, string(Running), start.UnixNano())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mlmd: begin run of %s in %s: %w", pipeline, abs, err)
	}
	return id, nil
}

// RecordExecution records one stage's execution in run, its input and
// output artifacts and the events that tie them to it, in one transaction,
// and returns the execution's ID. The Run and ID of e, and the IDs of its
// artifacts, are ignored.
//
// An artifact with the same URI and hash as one already recorded is that
// artifact, so a later run's input event points at the artifact an earlier
// stage (of any run) produced; it keeps the type and properties it was first
// recorded with. Every artifact and the execution are attributed to (or
// associated with) the run's context and its pipeline's.
func (s *Store) RecordExecution(run int64, e Execution) (int64, error) {
	if err := checkExecution(e); err != nil {
		return 0, fmt.Errorf("mlmd: record execution %q of run %d: %w", e.Stage, run, err)
	}
	var id int64
	err := s.write(func(tx *sql.Tx) error {
		var rctx, pctx int64
		err := tx.QueryRow(`SELECT context, pipeline FROM runs WHERE id = ?`, run).Scan(&rctx, &pctx)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("run %d: %w", run, ErrNotFound)
		}
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO executions (run, stage, kind, state, fingerprint, start_ns, end_ns) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			run, e.Stage, e.Kind, string(e.State), e.Fingerprint, nanos(e.Start), nanos(e.End))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for name, value := range e.Properties {
			if _, err := tx.Exec(`INSERT INTO execution_properties (execution, name, value) VALUES (?, ?, ?)`, id, name, value); err != nil {
				return err
			}
		}
		for _, c := range []int64{rctx, pctx} {
			if _, err := tx.Exec(`INSERT INTO associations (context, execution) VALUES (?, ?)`, c, id); err != nil {
				return err
			}
		}
		for _, ev := range []struct {
			kind      string
			artifacts []Artifact
		}{{Input, e.Inputs}, {Output, e.Outputs}} {
			for _, a := range ev.artifacts {
				aid, err := upsertArtifact(tx, a)
				if err != nil {
					return fmt.Errorf("%s %s: %w", ev.kind, a.URI, err)
				}
				if _, err := tx.Exec(`INSERT INTO events (execution, artifact, kind) VALUES (?, ?, ?)`, id, aid, ev.kind); err != nil {
					return err
				}
				for _, c := range []int64{rctx, pctx} {
					if _, err := tx.Exec(`INSERT OR IGNORE INTO attributions (context, artifact) VALUES (?, ?)`, c, aid); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mlmd: record execution %q of run %d: %w", e.Stage, run, err)
	}
	return id, nil
}

// checkExecution reports what is missing or wrong in an execution to be
// recorded.
func checkExecution(e Execution) error {
	switch {
	case e.Stage == "":
		return errors.New("no stage")
	case e.Kind == "":
		return errors.New("no kind")
	case !e.State.valid():
		return fmt.Errorf("unknown state %q", e.State)
	}
	for _, list := range [][]Artifact{e.Inputs, e.Outputs} {
		for _, a := range list {
			if a.URI == "" {
				return fmt.Errorf("an artifact of type %q has no URI", a.Type)
			}
			if a.Type == "" {
				return fmt.Errorf("artifact %s has no type", a.URI)
			}
		}
	}
	return nil
}

// FinishRun records a run's outcome: State, End, Blessed, Pushed, Metrics
// and Note from r, replacing any recorded before; the other fields of r are
// ignored. The state must be a final one (not Running) and End must be set.
func (s *Store) FinishRun(run int64, r Run) error {
	switch {
	case !r.State.valid() || r.State == Running:
		return fmt.Errorf("mlmd: finish run %d: state %q is not a final state", run, r.State)
	case r.End.IsZero():
		return fmt.Errorf("mlmd: finish run %d: no end time", run)
	}
	err := s.write(func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE runs SET state = ?, end_ns = ?, blessed = ?, pushed = ?, note = ? WHERE id = ?`,
			string(r.State), r.End.UnixNano(), r.Blessed, r.Pushed, r.Note, run)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(`DELETE FROM run_metrics WHERE run = ?`, run); err != nil {
			return err
		}
		for name, v := range r.Metrics {
			var value sql.NullFloat64
			if !math.IsNaN(v) {
				value = sql.NullFloat64{Float64: v, Valid: true}
			}
			if _, err := tx.Exec(`INSERT INTO run_metrics (run, name, value) VALUES (?, ?, ?)`, run, name, value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mlmd: finish run %d: %w", run, err)
	}
	return nil
}

// write runs f in one write transaction, committing it when f succeeds.
func (s *Store) write(f func(tx *sql.Tx) error) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// upsertContext returns the ID of the context of the type and name,
// creating it, with parent (0 for none), if it does not exist.
func upsertContext(tx *sql.Tx, typ, name string, parent int64) (int64, error) {
	var p sql.NullInt64
	if parent != 0 {
		p = sql.NullInt64{Int64: parent, Valid: true}
	}
	if _, err := tx.Exec(`INSERT INTO contexts (type, name, parent) VALUES (?, ?, ?) ON CONFLICT (type, name) DO NOTHING`, typ, name, p); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(`SELECT id FROM contexts WHERE type = ? AND name = ?`, typ, name).Scan(&id)
	return id, err
}

// upsertArtifact returns the ID of the artifact with a's URI and hash,
// recording a if there is none.
func upsertArtifact(tx *sql.Tx, a Artifact) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT id FROM artifacts WHERE uri = ? AND hash = ?`, a.URI, a.Hash).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	res, err := tx.Exec(`INSERT INTO artifacts (type, uri, hash) VALUES (?, ?, ?)`, a.Type, a.URI, a.Hash)
	if err != nil {
		return 0, err
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	for name, value := range a.Properties {
		if _, err := tx.Exec(`INSERT INTO artifact_properties (artifact, name, value) VALUES (?, ?, ?)`, id, name, value); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// nanos returns t as Unix nanoseconds, or NULL for the zero time.
func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// fromNanos returns the UTC time of Unix nanoseconds, or the zero time for
// NULL.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
