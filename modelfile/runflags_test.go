package modelfile

import (
	"maps"
	"testing"
)

func TestRunFlags(t *testing.T) {
	m := testModel()
	v3 := File{Version: 3, Model: m, Flags: map[string]string{"ignored": "1"}}
	if got := v3.RunFlags(); !maps.Equal(got, m.Flags()) || got["ignored"] != "" {
		t.Errorf("version 3: %v, want the Model's %v", got, m.Flags())
	}
	recorded := map[string]string{"layers": "2", "likelihood": "unknown"}
	v2 := File{Version: 2, Model: m, Flags: recorded}
	if got := v2.RunFlags(); !maps.Equal(got, recorded) {
		t.Errorf("version 2: %v, want as recorded %v", got, recorded)
	}
}
