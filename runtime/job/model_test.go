package job_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/runtime/job"
	"github.com/tfxc/tfxc/runtime/metrics"
	"github.com/tfxc/tfxc/runtime/push"
	"github.com/tfxc/tfxc/runtime/train"
)

// warnOnAnomaly lets the real sample's known anomalies through, so that
// the criteria alone decide the blessing.
func warnOnAnomaly(s string) string {
	return strings.Replace(s, "split train: 2, eval: 1", "split train: 2, eval: 1\n    on_anomaly warn", 1)
}

func overallAUC(t *testing.T, o *job.Outcome) float64 {
	t.Helper()
	s, ok := o.Metrics.Slice(metrics.SliceKey{})
	if !ok {
		t.Fatal("no overall slice")
	}
	auc, ok := s.Value(metrics.MetricKey{Name: "auc"})
	if !ok {
		t.Fatal("no auc")
	}
	return auc
}

// TestTaxiModel trains the example's dnn on the real sample, evaluates it
// per slice, blesses it and pushes it; a second run compares with the
// first as its baseline, and since it trained the very same model, adds
// no version.
func TestTaxiModel(t *testing.T) {
	p := taxiPlanWith(t, warnOnAnomaly)
	first := t.TempDir()
	_, o := runLocally(t, p, 256<<10, first)

	auc := overallAUC(t, o)
	t.Logf("dnn: AUC %.4f on the eval split; %d steps, loss %.4f → %.4f, %.0f examples/s",
		auc, o.Training.Steps, o.Training.Loss[0].Loss, o.Training.Loss[len(o.Training.Loss)-1].Loss, o.Training.ExamplesPerSecond)
	if auc < 0.90 {
		t.Errorf("the dnn reaches AUC %.4f, want ≥ 0.90", auc)
	}
	if l := o.Training.Loss; len(l) < 50 || l[len(l)-1].Loss >= l[0].Loss/2 {
		t.Errorf("the loss curve has %d points and goes from %v to %v", len(l), l[0].Loss, l[len(l)-1].Loss)
	}
	// Every slice of every spec is there: 24 hours, the crosses.
	specs := map[string]int{}
	for _, s := range o.Metrics.Slices {
		var cols []string
		for _, c := range s.Key {
			cols = append(cols, c.Column)
		}
		specs[strings.Join(cols, ",")]++
	}
	if specs[""] != 1 || specs["trip_start_hour"] != 24 || specs["company,payment_type"] < 20 {
		t.Errorf("slices per spec: %v", specs)
	}

	if !o.Blessing.Blessed || len(o.Blessing.Notes) != 1 || !strings.Contains(o.Blessing.Notes[0], "no model of this pipeline is blessed yet") {
		t.Errorf("first run: blessing %+v", o.Blessing)
	}
	dest := p.Pushes[0].Dest
	versions, err := push.Versions(dest)
	if err != nil || len(versions) != 1 || !o.Pushes[0].Pushed {
		t.Fatalf("first run pushed %v (%v): %+v", versions, err, o.Pushes[0])
	}
	for _, f := range []string{"saved_model.pb", "tfjs/model.json"} {
		if _, err := os.Stat(filepath.Join(o.Pushes[0].Version, f)); err != nil {
			t.Errorf("the pushed version lacks %s", f)
		}
	}

	// The second run has the first as baseline: the same data and seed
	// give the same model, so the change criterion passes at 0.
	second := t.TempDir()
	_, o2 := runWithBaseline(t, p, 256<<10, second, filepath.Join(first, "evaluation", "metrics.json"))
	if auc2 := overallAUC(t, o2); auc2 != auc {
		t.Errorf("the same seed gave AUC %v, then %v", auc, auc2)
	}
	b := o2.Blessing
	if !b.Blessed || len(b.Notes) != 0 || b.Baseline == "" {
		t.Errorf("second run: blessing %+v", b)
	}
	i := slices.IndexFunc(b.Checks, func(c job.Check) bool { return strings.Contains(c.Criterion, "baseline") })
	if i < 0 || b.Checks[i].Skipped || !b.Checks[i].Passed || b.Checks[i].Baseline == nil || float64(*b.Checks[i].Baseline) != float64(b.Checks[i].Value) {
		t.Errorf("the baseline criterion: %+v", b.Checks)
	}
	// The same model is not pushed twice.
	if versions, _ := push.Versions(dest); len(versions) != 1 || o2.Pushes[0].Pushed || o2.Pushes[0].Version != o.Pushes[0].Version {
		t.Errorf("after two blessed runs of one model, versions %v; the second push %+v", versions, o2.Pushes[0])
	}
}

// TestLogisticTaxi trains the logistic model on the same split, for
// comparison with the dnn. Its hour is a vocabulary of an int feature
// without a domain, so the width of that input is known only from the
// training split.
func TestLogisticTaxi(t *testing.T) {
	p := taxiPlanWith(t, func(s string) string {
		s = strings.Replace(warnOnAnomaly(s), "model dnn {", "model logistic {", 1)
		s = strings.Replace(s, "categorical(fill(trip_start_hour, 0), 24)", "vocabulary(fill(trip_start_hour, 0))", 1)
		return strings.Replace(s, "hidden 100, 70, 48, 34\n", "", 1)
	})
	if in := p.Model.Inputs[9]; in.Output != "hour_xf" || in.Width != 0 {
		t.Fatalf("model input %+v, want hour_xf of a width known after analysis", in)
	}
	_, o := runLocally(t, p, 256<<10, t.TempDir())
	auc := overallAUC(t, o)
	t.Logf("logistic: AUC %.4f on the eval split", auc)
	if auc < 0.85 {
		t.Errorf("the logistic model reaches AUC %.4f, want ≥ 0.85", auc)
	}
	if w := o.Training.Inputs[9].Width; w != 24 {
		t.Errorf("hour_xf trained %d wide, want the 24 hours of the training split", w)
	}
}

// TestFailingCriteriaPushNothing: a model that misses a criterion is not
// blessed, the push records why, and nothing appears at the destination;
// neither does anything when the data break the pipeline's rules.
func TestFailingCriteriaPushNothing(t *testing.T) {
	for name, edit := range map[string]func(string) string{
		"criterion": func(s string) string {
			return strings.Replace(warnOnAnomaly(s), "binary_accuracy >= 0.6", "binary_accuracy >= 0.6\n    auc[trip_start_hour] > 0.99", 1)
		},
		"anomalies": func(s string) string { return s },
	} {
		t.Run(name, func(t *testing.T) {
			p := taxiPlanWith(t, func(s string) string {
				return strings.Replace(edit(s), "steps: 1000", "steps: 200", 1)
			})
			_, o := runLocally(t, p, 256<<10, t.TempDir())
			if o.Blessing.Blessed || len(o.Blessing.Reasons) == 0 {
				t.Fatalf("blessing %+v", o.Blessing)
			}
			want := "auc[trip_start_hour] > 0.99 failed on trip_start_hour:"
			if name == "anomalies" {
				want = "anomalies and on_anomaly is fail"
			}
			if !strings.Contains(o.Blessing.Reasons[0], want) {
				t.Errorf("reasons %q, want one with %q", o.Blessing.Reasons, want)
			}
			if pu := o.Pushes[0]; pu.Pushed || !strings.Contains(pu.Reason, "not blessed") {
				t.Errorf("push %+v", pu)
			}
			if entries, err := os.ReadDir(p.Pushes[0].Dest); !os.IsNotExist(err) || len(entries) != 0 {
				t.Errorf("the destination holds %v (%v)", entries, err)
			}
		})
	}
}

// BenchmarkTrainEpoch is one epoch of the example's dnn (hidden 100, 70,
// 48, 34; batch 40) over the transformed training split of the real taxi
// sample. The transform runs once, outside the timing.
func BenchmarkTrainEpoch(b *testing.B) {
	p := taxiPlanWith(b, func(s string) string { return strings.Replace(s, "steps: 1000", "steps: 1", 1) })
	dir := b.TempDir()
	j, _ := runLocally(b, p, 1<<20, dir)
	data, _, err := j.TrainingData(dir)
	if err != nil {
		b.Fatal(err)
	}
	cfg := j.TrainConfig()
	cfg.Steps, cfg.Epochs = 0, 1
	b.ResetTimer()
	for range b.N {
		if _, err := train.Train(data, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(data.Rows())*float64(b.N)/b.Elapsed().Seconds(), "examples/s")
}

// TestMulticlassTaxi trains a softmax head: the label is a hash of the
// payment type into 4 classes, which the model can learn from its
// payment_type_xf input; accuracy is TFMA's multiclass accuracy.
func TestMulticlassTaxi(t *testing.T) {
	p := taxiPlanWith(t, func(s string) string {
		s = warnOnAnomaly(s)
		s = strings.Replace(s, "label big_tipper = tips > 0.2 * fare", `label pay = hash(fill(payment_type, ""), 4)`, 1)
		s = strings.Replace(s, "steps: 1000", "steps: 300", 1)
		s = strings.Replace(s, "metrics auc, binary_accuracy, example_count", "metrics accuracy, example_count", 1)
		s = strings.Replace(s, "slice   trip_start_hour", "slice   trip_start_hour\n    slice   pickup_lat_xf", 1)
		i := strings.Index(s, "push ")
		return s[:i] + "push \"serving/taxi\" as saved_model, tfjs when {\n    accuracy >= 0.95\n}\n"
	})
	if p.Model.LabelKind != "multiclass" || p.Model.Classes != 4 {
		t.Fatalf("model %+v", p.Model)
	}
	_, o := runLocally(t, p, 256<<10, t.TempDir())
	s, _ := o.Metrics.Slice(metrics.SliceKey{})
	acc, ok := s.Value(metrics.MetricKey{Name: "accuracy"})
	t.Logf("multiclass: accuracy %.4f", acc)
	if !ok || acc < 0.95 || !o.Blessing.Blessed || !o.Pushes[0].Pushed {
		t.Errorf("accuracy %v (%v), blessing %+v, push %+v", acc, ok, o.Blessing, o.Pushes[0])
	}
	// A slice on a transform output: one per bucket of the latitude.
	buckets := 0
	for _, s := range o.Metrics.Slices {
		if len(s.Key) == 1 && s.Key[0].Column == "pickup_lat_xf" {
			buckets++
		}
	}
	if buckets != 10 {
		t.Errorf("%d slices of pickup_lat_xf, want 10", buckets)
	}
}

// TestPushesHaveTheirOwnCriteria: of two pushes, the model goes to the one
// whose criteria it meets, and not to the other; the run is not blessed.
func TestPushesHaveTheirOwnCriteria(t *testing.T) {
	p := taxiPlanWith(t, func(s string) string {
		s = strings.Replace(warnOnAnomaly(s), "steps: 1000", "steps: 200", 1)
		return s + "\npush \"serving/strict\" as saved_model when {\n    auc >= 0.999\n}\n"
	})
	_, o := runLocally(t, p, 256<<10, t.TempDir())
	if o.Blessing.Blessed || len(o.Blessing.Pushes) != 2 || !o.Blessing.Pushes[0].Blessed || o.Blessing.Pushes[1].Blessed {
		t.Fatalf("blessing %+v", o.Blessing)
	}
	if !o.Pushes[0].Pushed || o.Pushes[1].Pushed || !strings.Contains(o.Pushes[1].Reason, "auc >= 0.999 failed on Overall") {
		t.Errorf("pushes %+v, %+v", o.Pushes[0], o.Pushes[1])
	}
	if v, _ := push.Versions(p.Pushes[1].Dest); len(v) != 0 {
		t.Errorf("the strict destination holds %v", v)
	}
}

// TestLinearTaxi: a regression label trains a linear model on squared
// error, whose loss falls; mse and mae come out of the evaluation, and a
// criterion on mse blesses the model.
func TestLinearTaxi(t *testing.T) {
	p := taxiPlanWith(t, func(s string) string {
		s = strings.Replace(warnOnAnomaly(s), "label big_tipper = tips > 0.2 * fare", "label tip = fill(tips, 0.0)", 1)
		s = strings.Replace(s, "model dnn {", "model linear {", 1)
		s = strings.Replace(s, "hidden 100, 70, 48, 34\n", "", 1)
		s = strings.Replace(s, "steps: 1000, batch: 40, learning_rate: 0.001", "epochs: 20, batch: 64, learning_rate: 0.01", 1)
		s = strings.Replace(s, "metrics auc, binary_accuracy, example_count", "metrics mse, mae, mean_label, example_count", 1)
		i := strings.Index(s, "push ")
		return s[:i] + "push \"serving/taxi\" as saved_model when {\n    mse < 1000\n}\n"
	})
	if p.Model.LabelKind != "regression" {
		t.Fatalf("model %+v", p.Model)
	}
	_, o := runLocally(t, p, 256<<10, t.TempDir())
	s, _ := o.Metrics.Slice(metrics.SliceKey{})
	mse, _ := s.Value(metrics.MetricKey{Name: "mean_squared_error"})
	mae, _ := s.Value(metrics.MetricKey{Name: "mean_absolute_error"})
	t.Logf("linear: mse %.3f, mae %.3f on the eval split", mse, mae)
	if !(mse > 0 && mae > 0) || !o.Blessing.Blessed || !o.Pushes[0].Pushed {
		t.Errorf("mse %v, mae %v, blessing %+v", mse, mae, o.Blessing)
	}
	if l := o.Training.Loss; l[len(l)-1].Loss >= l[0].Loss {
		t.Errorf("the squared error went from %v to %v", l[0].Loss, l[len(l)-1].Loss)
	}
}

// BenchmarkEvaluate is the Evaluator over the real taxi sample's shards:
// the serving graph (transform and the example's dnn, trained briefly)
// applied to the raw rows of the eval split, and the metrics of every
// slice.
func BenchmarkEvaluate(b *testing.B) {
	p := taxiPlanWith(b, func(s string) string { return strings.Replace(s, "steps: 1000", "steps: 10", 1) })
	dir := b.TempDir()
	j, o := runLocally(b, p, 1<<20, dir)
	model, err := job.ReadServingGraph(dir)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := j.NewEvaluator(model)
	if err != nil {
		b.Fatal(err)
	}
	tasks, err := j.Tasks(1 << 20)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for _, task := range tasks {
			if _, err := ev.EvaluateShard(task); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(o.Data.Rows["eval"])*float64(b.N)/b.Elapsed().Seconds(), "eval-rows/s")
}
