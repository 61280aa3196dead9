package push

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Served returns the newest version in dest when it holds exactly the
// files m would push (the SavedModel, and the TF.js model under tfjs/ when
// m has one, byte for byte and nothing else), or "" when there is none:
// pushing the same model again would only add a copy.
func Served(m Model, dest string) (string, error) {
	vs, err := Versions(dest)
	if err != nil || len(vs) == 0 {
		return "", err
	}
	dir := filepath.Join(dest, strconv.FormatInt(vs[len(vs)-1], 10))
	want := map[string]string{} // path in the version → source file
	if err := listFiles(m.SavedModel, "", want); err != nil {
		return "", err
	}
	if m.TFJS != "" {
		if err := listFiles(m.TFJS, "tfjs", want); err != nil {
			return "", err
		}
	}
	have := map[string]string{}
	if err := listFiles(dir, "", have); err != nil {
		return "", err
	}
	if len(have) != len(want) {
		return "", nil
	}
	for rel, src := range want {
		got, ok := have[rel]
		if !ok {
			return "", nil
		}
		same, err := sameFile(src, got)
		if err != nil || !same {
			return "", err
		}
	}
	return dir, nil
}

// listFiles adds the regular files under root to files, by their path
// relative to root under prefix.
func listFiles(root, prefix string, files map[string]string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return errors.New(path + " is not a regular file")
		}
		files[filepath.ToSlash(filepath.Join(prefix, rel))] = path
		return nil
	})
}

func sameFile(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(x, y), nil
}
