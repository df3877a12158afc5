package memory

// The mirrors of train's bounds, for TestTraceBoundsAreTrains.
const (
	PredictChunk = predictChunk
	MaxTrace     = maxTrace
)
