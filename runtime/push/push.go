// Package push is the Pusher: it puts a blessed model where TensorFlow
// Serving and TF.js serve it from, atomically and never over an existing
// version.
//
// The layout is TensorFlow Serving's: DEST/VERSION/saved_model.pb and
// DEST/VERSION/variables/, VERSION a decimal number that Serving's file
// system source polls for (it serves the largest), with the TF.js graph
// model beside it in DEST/VERSION/tfjs/. Like TFX's Pusher, VERSION is the
// push time in Unix seconds, raised past the largest existing version.
//
// A push is written into a hidden temporary folder in DEST (Serving
// ignores names that are not numbers), every file and folder synced, and
// renamed to its version with RENAME_NOREPLACE: a reader sees a whole
// version or none, a push killed halfway leaves only the hidden folder,
// and two pushers can never write the same version.
package push

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tfxc/tfxc/internal/atomicdir"
)

// Model is what a push copies: a SavedModel folder and, optionally, a
// TF.js graph model folder.
type Model struct {
	SavedModel string // holds saved_model.pb
	TFJS       string // holds model.json; empty for none
}

// Pushed says where a model went.
type Pushed struct {
	Version int64
	Dir     string
}

// tempPrefix starts the name of a push in progress.
const tempPrefix = ".push-"

// Push copies m into a new version under dest, created if need be.
func Push(m Model, dest string, now time.Time) (*Pushed, error) {
	return push(m, dest, now, nil)
}

// push is Push with a hook that tests use to stop a push halfway: it runs
// once the copy is complete and synced, just before it becomes visible.
func push(m Model, dest string, now time.Time, beforeRename func(tmp string)) (*Pushed, error) {
	if _, err := os.Stat(filepath.Join(m.SavedModel, "saved_model.pb")); err != nil {
		return nil, fmt.Errorf("push: no SavedModel to push: %w", err)
	}
	if m.TFJS != "" {
		if _, err := os.Stat(filepath.Join(m.TFJS, "model.json")); err != nil {
			return nil, fmt.Errorf("push: no TF.js model to push: %w", err)
		}
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	tmp, err := os.MkdirTemp(dest, tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := atomicdir.CopyTree(m.SavedModel, tmp, false); err != nil {
		return nil, fmt.Errorf("push: copying the SavedModel: %w", err)
	}
	if m.TFJS != "" {
		if err := atomicdir.CopyTree(m.TFJS, filepath.Join(tmp, "tfjs"), false); err != nil {
			return nil, fmt.Errorf("push: copying the TF.js model: %w", err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	if beforeRename != nil {
		beforeRename(tmp)
	}
	version, err := nextVersion(dest, now)
	if err != nil {
		return nil, err
	}
	for tries := 0; ; tries++ {
		dir := filepath.Join(dest, strconv.FormatInt(version, 10))
		err := renameNoReplace(tmp, dir)
		if err == nil {
			done = true
			if err := syncOne(dest); err != nil {
				return nil, fmt.Errorf("push: version %d is in place, but syncing %s failed: %w", version, dest, err)
			}
			return &Pushed{Version: version, Dir: dir}, nil
		}
		if !errors.Is(err, fs.ErrExist) || tries >= 100 {
			return nil, fmt.Errorf("push: %w", err)
		}
		version++ // another push took this version meanwhile
	}
}

// Versions lists the versions in dest, in increasing order.
func Versions(dest string) ([]int64, error) {
	entries, err := os.ReadDir(dest)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []int64
	for _, e := range entries {
		if v, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() && v >= 0 {
			out = append(out, v)
		}
	}
	return out, nil
}

// nextVersion is now in Unix seconds, or one more than the largest
// version in dest if that is later.
func nextVersion(dest string, now time.Time) (int64, error) {
	vs, err := Versions(dest)
	if err != nil {
		return 0, fmt.Errorf("push: %w", err)
	}
	v := now.Unix()
	for _, x := range vs {
		v = max(v, x+1)
	}
	return v, nil
}

// syncOne syncs one folder: its entries, such as a renamed version.
func syncOne(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir syncs dir and every folder below it, so that the entries the
// copy created are on disk before the rename publishes them.
func syncDir(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncOne(path)
	})
}

// IsTemporary reports whether name is a push in progress, or one a killed
// pusher left behind.
func IsTemporary(name string) bool { return strings.HasPrefix(name, tempPrefix) }
