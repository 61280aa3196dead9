// Package mlmd records what the runs of a pipeline did, in the spirit of ML
// Metadata: an embedded SQLite database (a pure-Go driver, no cgo) holding
// one context per pipeline and one per run, the executions of each run's
// stages with their state, the artifacts they read and wrote with content
// hashes, the input and output events that tie the two together, and the
// outcome of each run: whether its model was blessed and where it was pushed.
//
// Because a stage of a later run that reads an artifact an earlier run wrote
// records an input event on that same artifact (artifacts are identified by
// URI and content hash), the store answers lineage questions across runs:
// which execution produced an artifact, and which consumed it.
//
// Every recording is one transaction, and the database is in WAL mode with
// a busy timeout, so several processes may record runs into one store at
// once.
//
// Maps returned by the store (properties and metrics) are nil when they have
// no entries, never empty and non-nil.
package mlmd

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SchemaVersion is the version of the database schema this package writes.
// Open refuses a database with a newer version.
const SchemaVersion = 1

// ErrNotFound is returned, wrapped, when a run, an execution or an artifact
// asked for is not in the store.
var ErrNotFound = errors.New("not found")

// Store is an open metadata store. It is safe for concurrent use by several
// goroutines, and several Stores (in one process or several) may use the
// same database file at once.
type Store struct {
	db *sql.DB
}

// schema creates the tables of SchemaVersion. Times are Unix nanoseconds
// (UTC), NULL when unknown. Contexts are the pipelines and the runs (a run's
// context is named by its folder and has its pipeline's context as parent);
// a run's outcome lives in runs and run_metrics; attributions and
// associations tie artifacts and executions to both the run's and the
// pipeline's contexts.
const schema = `
CREATE TABLE contexts (
	id     INTEGER PRIMARY KEY,
	type   TEXT NOT NULL CHECK (type IN ('pipeline', 'run')),
	name   TEXT NOT NULL,
	parent INTEGER REFERENCES contexts (id),
	UNIQUE (type, name)
);
CREATE TABLE runs (
	id       INTEGER PRIMARY KEY,
	context  INTEGER NOT NULL UNIQUE REFERENCES contexts (id),
	pipeline INTEGER NOT NULL REFERENCES contexts (id),
	state    TEXT NOT NULL,
	start_ns INTEGER NOT NULL,
	end_ns   INTEGER,
	blessed  INTEGER NOT NULL DEFAULT 0,
	pushed   TEXT NOT NULL DEFAULT '',
	note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, start_ns);
CREATE TABLE run_metrics (
	run   INTEGER NOT NULL REFERENCES runs (id),
	name  TEXT NOT NULL,
	value REAL, -- NULL for NaN
	PRIMARY KEY (run, name)
) WITHOUT ROWID;
CREATE TABLE executions (
	id          INTEGER PRIMARY KEY,
	run         INTEGER NOT NULL REFERENCES runs (id),
	stage       TEXT NOT NULL,
	kind        TEXT NOT NULL,
	state       TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	start_ns    INTEGER,
	end_ns      INTEGER
);
CREATE INDEX executions_by_run ON executions (run);
CREATE TABLE execution_properties (
	execution INTEGER NOT NULL REFERENCES executions (id),
	name      TEXT NOT NULL,
	value     TEXT NOT NULL,
	PRIMARY KEY (execution, name)
) WITHOUT ROWID;
CREATE TABLE artifacts (
	id   INTEGER PRIMARY KEY,
	type TEXT NOT NULL,
	uri  TEXT NOT NULL,
	hash TEXT NOT NULL,
	UNIQUE (uri, hash)
);
CREATE TABLE artifact_properties (
	artifact INTEGER NOT NULL REFERENCES artifacts (id),
	name     TEXT NOT NULL,
	value    TEXT NOT NULL,
	PRIMARY KEY (artifact, name)
) WITHOUT ROWID;
CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	execution INTEGER NOT NULL REFERENCES executions (id),
	artifact  INTEGER NOT NULL REFERENCES artifacts (id),
	kind      TEXT NOT NULL CHECK (kind IN ('input', 'output'))
);
CREATE INDEX events_by_execution ON events (execution);
CREATE INDEX events_by_artifact ON events (artifact, kind);
CREATE TABLE attributions (
	context  INTEGER NOT NULL REFERENCES contexts (id),
	artifact INTEGER NOT NULL REFERENCES artifacts (id),
	PRIMARY KEY (context, artifact)
) WITHOUT ROWID;
CREATE TABLE associations (
	context   INTEGER NOT NULL REFERENCES contexts (id),
	execution INTEGER NOT NULL REFERENCES executions (id),
	PRIMARY KEY (context, execution)
) WITHOUT ROWID;
`

// Open opens (creating if absent, with its parent folder) the store at path.
// It refuses a database written by a newer version of this package.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("mlmd: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("mlmd: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("mlmd: open %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("mlmd: open %s: %w", path, err)
	}
	return s, nil
}

// dsn returns the driver's name for the database file at the absolute path
// abs: an SQLite URI, in which "%", "?" and "#" are escaped, with the
// connection's settings. Every write transaction begins IMMEDIATE, taking
// the write lock at once: a transaction that read first and then tried to
// write could otherwise fail with SQLITE_BUSY at once instead of waiting.
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return "file:" + p + "?" + q.Encode()
}

// init creates the schema of a new database, or checks the version of an
// existing one.
func (s *Store) init() error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("creating the schema: %w", err)
	}
	var version sql.NullInt64
	if err := tx.QueryRow(`SELECT max(version) FROM schema_version`).Scan(&version); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	switch {
	case !version.Valid:
		if _, err := tx.Exec(schema); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_version (version) VALUES (?)`, SchemaVersion); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
	case version.Int64 > SchemaVersion:
		return fmt.Errorf("the store has schema version %d, newer than the %d this tfxc knows: use a newer tfxc", version.Int64, SchemaVersion)
	case version.Int64 < SchemaVersion:
		// No older version has been released; a migration goes here.
		return fmt.Errorf("the store has schema version %d, which this tfxc cannot upgrade", version.Int64)
	}
	return tx.Commit()
}

// Close closes the store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("mlmd: close: %w", err)
	}
	return nil
}
