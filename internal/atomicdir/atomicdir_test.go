package atomicdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b.txt")
	for _, content := range []string{"first", "second"} {
		if err := WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFile(filepath.Join(path, "under-a-file"), []byte("x")); err == nil {
		t.Error("writing under a file succeeded")
	}
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	for name, data := range map[string]string{"a.txt": "a", "sub/b.txt": "bb", "sub/deeper/c": ""} {
		if err := WriteFile(filepath.Join(src, name), []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	for _, link := range []bool{false, true} {
		dst := filepath.Join(t.TempDir(), "copy")
		if err := CopyTree(src, dst, link); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"a.txt": "a", "sub/b.txt": "bb", "sub/deeper/c": ""} {
			got, err := os.ReadFile(filepath.Join(dst, name))
			if err != nil || string(got) != want {
				t.Errorf("link %v: %s = %q, %v; want %q", link, name, got, err, want)
			}
			a, _ := os.Stat(filepath.Join(src, name))
			b, _ := os.Stat(filepath.Join(dst, name))
			if os.SameFile(a, b) != link {
				t.Errorf("link %v: %s shares its file: %v", link, name, os.SameFile(a, b))
			}
		}
		entries, _ := os.ReadDir(dst)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("a temporary file is left: %s", e.Name())
			}
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	if err := CopyTree(src, filepath.Join(t.TempDir(), "x"), false); err == nil {
		t.Error("a symbolic link was copied")
	}
}
