package main

import (
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tfxc/tfxc/internal/atomicdir"
	"github.com/tfxc/tfxc/mlmd"
	"github.com/tfxc/tfxc/planner"
)

// A stage whose fingerprint (its configuration, its inputs' fingerprints,
// and for the examples their files' paths, sizes and modification times)
// matches a finished execution of an earlier run did the same work: its
// artifacts can be reused, as TFX's cache reuses a component's outputs.
// Results are reused only from the same build of tfxc-beam (see
// engineID), so a fixed bug never lives on in a cache.
// The job's stages come in two blocks that reuse as a whole, because one
// pass over the shards computes all the data stages together: the data
// stages, then the Trainer. The Evaluator, the blessing and the push always
// run, since the baseline they compare with may have changed.

// dataKinds are the stages of the data block.
var dataKinds = map[planner.StageKind]bool{
	planner.ExampleGen: true, planner.StatisticsGen: true, planner.SchemaGen: true,
	planner.ExampleValidator: true, planner.Analyze: true, planner.TransformStage: true,
}

// reuse is what a run takes from an earlier one.
type reuse struct {
	what   string // beamjob.ReuseData or ReuseModel ("data", "model")
	from   string // the earlier run's folder
	stages map[string]bool
	// top are the files and folders of the run's folder that the reused
	// stages write, in order.
	top []string
}

// addTop notes the top-level files and folders of a stage's artifacts.
func (r *reuse) addTop(s planner.Stage) {
	for _, rel := range append(append([]string(nil), s.Artifacts...), s.Optional...) {
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if !slices.Contains(r.top, top) {
			r.top = append(r.top, top)
		}
	}
}

// findReuse looks for an earlier run of the pipeline whose data block (and
// then Trainer) did this plan's work and whose artifacts are intact: every
// output still has the content hash recorded. It returns nil when there
// is nothing to reuse.
func findReuse(store *mlmd.Store, p *planner.Plan, engine string) (*reuse, error) {
	if p.Model == nil {
		return nil, nil // without a model the data block is the whole job
	}
	var from string
	r := &reuse{what: "data", stages: map[string]bool{}}
	intact := func(s planner.Stage) (bool, error) {
		e, err := store.LatestExecution(p.Pipeline, s.ID, s.Fingerprint, mlmd.Complete, mlmd.Cached)
		if err != nil || e == nil || e.Properties["engine"] != engine {
			return false, err // none, or computed by another build of tfxc-beam
		}
		run, err := store.FindRun(strconv.FormatInt(e.Run, 10))
		if err != nil {
			return false, err
		}
		dir := run.Dir
		if from != "" && dir != from {
			return false, nil // the blocks must come from one run
		}
		for _, a := range e.Outputs {
			h, err := mlmd.HashPath(a.URI)
			if err != nil || h != a.Hash {
				return false, nil // gone or changed since
			}
		}
		from = dir
		return true, nil
	}
	for _, s := range p.Stages {
		if !dataKinds[s.Kind] {
			continue
		}
		ok, err := intact(s)
		if err != nil || !ok {
			return nil, err
		}
		r.stages[s.ID] = true
		r.addTop(s)
	}
	r.from = from
	if train := p.Stage("train"); train != nil {
		ok, err := intact(*train)
		if err != nil {
			return nil, err
		}
		if ok {
			r.what, r.stages["train"] = "model", true
			r.addTop(*train)
		}
	}
	return r, nil
}

// copyInto puts the reused artifacts into the new run's folder, as hard
// links where the file system allows (artifacts are never written in
// place, only replaced by rename) and as copies otherwise.
func (r *reuse) copyInto(runDir string) error {
	for _, name := range r.top {
		src := filepath.Join(r.from, name)
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			continue // no quarantine when nothing was quarantined
		}
		if err := atomicdir.CopyTree(src, filepath.Join(runDir, name), true); err != nil {
			return fmt.Errorf("reusing %s of %s: %w", name, r.from, err)
		}
	}
	return nil
}

// engineID identifies the build of tfxc-beam at bin: the Go build ID that
// the linker writes into an ELF binary's .note.go.buildid (a hash of the
// build's inputs, read in a millisecond), or where there is none the
// content hash of the whole binary (half a second for Beam's 90 MB).
func engineID(bin string) (string, error) {
	if f, err := elf.Open(bin); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			if data, err := sec.Data(); err == nil && len(data) > 16 {
				return "go-buildid:" + strings.TrimRight(string(data[16:]), "\x00"), nil
			}
		}
	}
	return mlmd.HashPath(bin)
}
