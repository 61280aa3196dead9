package examplegen

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// pendingFile is a file written under a temporary name in its final
// folder and renamed into place by commit, so that no reader ever sees it
// half-written, and a failed or retried writer leaves no partial file
// under the final name.
type pendingFile struct {
	path string // the final name
	f    *os.File
	w    *bufio.Writer
	done bool
}

// createPending creates the temporary file for path, and path's folder.
// Temporary names start with ".tmp-", so globs of final names such as
// part-*.tfrecord do not match them.
func createPending(path string) (*pendingFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return nil, err
	}
	return &pendingFile{path: path, f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (p *pendingFile) Write(b []byte) (int, error) {
	if p.done {
		return 0, fmt.Errorf("%s: write after close", p.path)
	}
	return p.w.Write(b)
}

// commit flushes, syncs and closes the file and renames it to its final
// name, replacing any older file of that name. On failure the temporary
// file is removed.
func (p *pendingFile) commit() error {
	if p.done {
		return fmt.Errorf("%s: already closed", p.path)
	}
	p.done = true
	err := p.w.Flush()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.f.Name(), p.path)
	}
	if err != nil {
		os.Remove(p.f.Name())
		return fmt.Errorf("writing %s: %w", p.path, err)
	}
	return nil
}

// abort closes and removes the temporary file. After commit it does
// nothing, so that a deferred abort never removes a finished file.
func (p *pendingFile) abort() error {
	if p.done {
		return nil
	}
	p.done = true
	err := p.f.Close()
	if rerr := os.Remove(p.f.Name()); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = rerr
	}
	return err
}
