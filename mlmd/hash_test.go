package mlmd

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTree writes files (slash-separated paths) under a new folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func hashPath(t *testing.T, path string) string {
	t.Helper()
	h, err := HashPath(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+64 {
		t.Fatalf("HashPath(%s) = %q, want sha256:<64 hex digits>", path, h)
	}
	return h
}

func TestHashPath(t *testing.T) {
	tree := map[string]string{
		"saved_model.pb":                        "graph",
		"variables/variables.index":             "",
		"tfjs/model.json":                       `{"format":"graph-model"}`,
		"tfjs/group1-shard1of1.bin":             "\x00\x01\x02",
		"a.txt":                                 "sorts before a/ by path",
		"a/b":                                   "sorts after a.txt",
		"transformed/train/part-00000.tfrecord": strings.Repeat("x", 1<<16),
	}
	a, b := writeTree(t, tree), writeTree(t, tree)
	ha := hashPath(t, a)
	if hb := hashPath(t, b); ha != hb {
		t.Errorf("the same tree in two folders: %s and %s", ha, hb)
	}

	// Modification times, permissions and empty folders do not count.
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(b, "a.txt"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(b, "saved_model.pb"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(b, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if hb := hashPath(t, b); ha != hb {
		t.Errorf("after touching, chmod and an empty folder: %s, want %s", hb, ha)
	}

	// One changed byte, a renamed file, an added or removed file change it.
	for name, change := range map[string]func(root string) error{
		"changed byte": func(root string) error {
			return os.WriteFile(filepath.Join(root, "tfjs", "group1-shard1of1.bin"), []byte("\x00\x01\x03"), 0o644)
		},
		"renamed": func(root string) error {
			return os.Rename(filepath.Join(root, "a", "b"), filepath.Join(root, "a", "c"))
		},
		"moved to another folder": func(root string) error {
			return os.Rename(filepath.Join(root, "a", "b"), filepath.Join(root, "b"))
		},
		"added empty file": func(root string) error {
			return os.WriteFile(filepath.Join(root, "empty"), nil, 0o644)
		},
		"removed": func(root string) error {
			return os.Remove(filepath.Join(root, "variables", "variables.index"))
		},
	} {
		c := writeTree(t, tree)
		if err := change(c); err != nil {
			t.Fatal(err)
		}
		if hc := hashPath(t, c); hc == ha {
			t.Errorf("%s: the hash did not change", name)
		}
	}
}

func TestHashPathFile(t *testing.T) {
	root := writeTree(t, map[string]string{"f": "contents", "g": "contents", "d/f": "contents", "empty": ""})
	sum := sha256.Sum256([]byte("contents"))
	want := "sha256:" + hex.EncodeToString(sum[:])
	if got := hashPath(t, filepath.Join(root, "f")); got != want {
		t.Errorf("HashPath(file) = %s, want the SHA-256 of its contents %s", got, want)
	}
	if f, g := hashPath(t, filepath.Join(root, "f")), hashPath(t, filepath.Join(root, "g")); f != g {
		t.Errorf("two files with the same contents: %s and %s", f, g)
	}
	// A folder holding the file is not the file.
	if d := hashPath(t, filepath.Join(root, "d")); d == want {
		t.Errorf("a folder of one file hashes as the file: %s", d)
	}
	// An empty folder is not an empty file.
	emptyDir := t.TempDir()
	if e, d := hashPath(t, filepath.Join(root, "empty")), hashPath(t, emptyDir); e == d {
		t.Errorf("an empty file and an empty folder both hash to %s", e)
	}
}

func TestHashPathRefusesSymlinks(t *testing.T) {
	root := writeTree(t, map[string]string{"real": "x", "dir/f": "y"})
	if err := os.Symlink("real", filepath.Join(root, "link")); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	if _, err := HashPath(filepath.Join(root, "link")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("HashPath(link) = %v, want an error about the symbolic link", err)
	}
	if _, err := HashPath(root); err == nil || !strings.Contains(err.Error(), "link") {
		t.Errorf("HashPath(folder with a link) = %v, want an error naming the link", err)
	}
	if err := os.Symlink("dir", filepath.Join(root, "dirlink")); err != nil {
		t.Fatal(err)
	}
	if _, err := HashPath(filepath.Join(root, "dirlink")); err == nil {
		t.Error("HashPath(link to a folder) succeeded")
	}
	if _, err := HashPath(filepath.Join(root, "missing")); err == nil {
		t.Error("HashPath(missing) succeeded")
	}
}
