package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoHeavyDependencies keeps tfxc a fast-starting binary: linking Beam's
// runners costs 70-100 ms of initialisation before main, which an editor's
// save hook cannot afford. The compiler's binary links neither Beam nor
// the runtime. It does link the planner, and through it the graph lowering
// and TensorFlow's protos, for "tfxc plan" and "tfxc run": measured with
// hyperfine, "tfxc check" on the taxi example took the same time (within
// noise, about 13 ms) with and without them.
func TestNoHeavyDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/apache/beam", "github.com/tfxc/tfxc/runtime", "github.com/tfxc/tfxc/codegen/beamjob"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("tfxc links %s", dep)
			}
		}
	}
}
