package push

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// model writes a small SavedModel and TF.js model.
func model(t *testing.T) Model {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"sm/saved_model.pb":       "graph",
		"sm/variables/.keep":      "",
		"js/model.json":           "{}",
		"js/group1-shard1of1.bin": "weights",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Model{SavedModel: filepath.Join(dir, "sm"), TFJS: filepath.Join(dir, "js")}
}

func TestPushLayoutAndVersions(t *testing.T) {
	m := model(t)
	dest := filepath.Join(t.TempDir(), "serving", "taxi")
	now := time.Unix(1_700_000_000, 0)
	p1, err := Push(m, dest, now)
	if err != nil {
		t.Fatal(err)
	}
	if p1.Version != now.Unix() {
		t.Errorf("version %d, want the push time %d", p1.Version, now.Unix())
	}
	for _, f := range []string{"saved_model.pb", "variables/.keep", "tfjs/model.json", "tfjs/group1-shard1of1.bin"} {
		if _, err := os.Stat(filepath.Join(p1.Dir, f)); err != nil {
			t.Errorf("pushed model lacks %s: %v", f, err)
		}
	}
	// The same second again, and a clock that went back: never over an
	// existing version, always after the largest.
	p2, err := Push(m, dest, now)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := Push(m, dest, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != p1.Version+1 || p3.Version != p1.Version+2 {
		t.Errorf("versions %d, %d, %d", p1.Version, p2.Version, p3.Version)
	}
	// An empty folder already named like the next version is not replaced.
	if err := os.Mkdir(filepath.Join(dest, "9999999999"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := renameNoReplace(p3.Dir, filepath.Join(dest, "9999999999")); err == nil {
		t.Error("a rename replaced an existing version folder")
	}
	if _, err := Push(Model{SavedModel: t.TempDir()}, dest, now); err == nil {
		t.Error("a folder without saved_model.pb was pushed")
	}
	entries, _ := os.ReadDir(dest)
	for _, e := range entries {
		if IsTemporary(e.Name()) {
			t.Errorf("a finished push left %s", e.Name())
		}
	}
}

func TestConcurrentPushes(t *testing.T) {
	m := model(t)
	dest := t.TempDir()
	now := time.Unix(1_700_000_000, 0)
	var wg sync.WaitGroup
	versions := make([]int64, 8)
	for i := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := Push(m, dest, now)
			if err != nil {
				t.Error(err)
				return
			}
			versions[i] = p.Version
		}()
	}
	wg.Wait()
	slices.Sort(versions)
	if len(slices.Compact(slices.Clone(versions))) != len(versions) {
		t.Errorf("two pushes share a version: %v", versions)
	}
	got, _ := Versions(dest)
	if len(got) != len(versions) {
		t.Errorf("%d versions on disk for %d pushes", len(got), len(versions))
	}
}

// TestKilledPush kills a pushing process just before its rename: no
// version becomes visible, and the next push succeeds.
func TestKilledPush(t *testing.T) {
	dest := t.TempDir()
	m := model(t)
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TFXC_PUSH_CHILD=1", "TFXC_PUSH_DEST="+dest, "TFXC_PUSH_READY="+ready,
		"TFXC_PUSH_SM="+m.SavedModel, "TFXC_PUSH_JS="+m.TFJS)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child never reached its rename")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if vs, _ := Versions(dest); len(vs) != 0 {
		t.Fatalf("a killed push left versions %v", vs)
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 1 || !IsTemporary(entries[0].Name()) {
		t.Errorf("after the kill dest holds %v, want one hidden temporary folder", entries)
	}
	p, err := Push(model(t), dest, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if vs, _ := Versions(dest); len(vs) != 1 || vs[0] != p.Version {
		t.Errorf("versions %v after a good push", vs)
	}
}

// TestMain runs the child of TestKilledPush when the environment asks for
// it: a push that waits forever just before its rename.
func TestMain(m *testing.M) {
	if os.Getenv("TFXC_PUSH_CHILD") != "" {
		sm, js := os.Getenv("TFXC_PUSH_SM"), os.Getenv("TFXC_PUSH_JS")
		push(Model{SavedModel: sm, TFJS: js}, os.Getenv("TFXC_PUSH_DEST"), time.Now(), func(string) {
			os.WriteFile(os.Getenv("TFXC_PUSH_READY"), nil, 0o644)
			select {}
		})
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestServed(t *testing.T) {
	m := model(t)
	dest := filepath.Join(t.TempDir(), "serving")
	if dir, err := Served(m, dest); dir != "" || err != nil {
		t.Fatalf("Served before any push = %q, %v", dir, err)
	}
	p, err := Push(m, dest, time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if dir, err := Served(m, dest); dir != p.Dir || err != nil {
		t.Errorf("Served after pushing = %q, %v; want %s", dir, err, p.Dir)
	}
	// Without the TF.js model it is another push.
	if dir, err := Served(Model{SavedModel: m.SavedModel}, dest); dir != "" || err != nil {
		t.Errorf("Served without tfjs = %q, %v", dir, err)
	}
	// A changed byte is another model.
	pb := filepath.Join(m.SavedModel, "saved_model.pb")
	data, _ := os.ReadFile(pb)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(pb, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir, err := Served(m, dest); dir != "" || err != nil {
		t.Errorf("Served of a changed model = %q, %v", dir, err)
	}
}
