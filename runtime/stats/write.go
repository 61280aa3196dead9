package stats

import (
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// List gathers per-split statistics into the list that StatisticsGen
// writes (one dataset per split, in the order given).
func List(results ...*tfmd.DatasetFeatureStatistics) *tfmd.DatasetFeatureStatisticsList {
	return &tfmd.DatasetFeatureStatisticsList{Datasets: results}
}

// WriteBinary writes the list as a binary proto (deterministic
// marshaling), the form TFDV's load_statistics reads. The file appears
// whole or not at all: it is written under a temporary name and renamed.
func WriteBinary(path string, list *tfmd.DatasetFeatureStatisticsList) error {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(list)
	if err != nil {
		return fmt.Errorf("stats: encoding %s: %w", path, err)
	}
	return writeAtomic(path, data)
}

// WriteText writes the list as a text proto (TFDV's
// load_stats_text/write_stats_text form), atomically like WriteBinary.
// Note that protobuf-go's text output may vary in insignificant
// whitespace between builds of the program, never between runs of one.
func WriteText(path string, list *tfmd.DatasetFeatureStatisticsList) error {
	data, err := prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(list)
	if err != nil {
		return fmt.Errorf("stats: encoding %s: %w", path, err)
	}
	return writeAtomic(path, data)
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it to path.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("stats: writing %s: %w", path, err)
	}
	return nil
}
