package linearize

import "github.com/anishathalye/porcupine"

// Annotation is a server-side event to show on the visualization's
// timeline: a leader change, a fault switched on or off.
type Annotation struct {
	// Tag is the timeline row, e.g. "leader" or "nemesis".
	Tag string
	// Start and End are virtual times in nanoseconds; End may be 0 for an
	// instant.
	Start, End  int64
	Description string
	Details     string
}

// VisualizePath writes Porcupine's HTML visualization of the checked history
// with the annotations overlaid.
func (r *LinearizableResult) VisualizePath(path string, notes []Annotation) error {
	info := r.info
	anns := make([]porcupine.Annotation, len(notes))
	for i, n := range notes {
		anns[i] = porcupine.Annotation{Tag: n.Tag, Start: n.Start, End: n.End, Description: n.Description, Details: n.Details}
	}
	info.AddAnnotations(anns)
	return porcupine.VisualizePath(znodeModel(), info, path)
}
