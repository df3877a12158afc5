package graph

// For the external tests (package graph_test): the finite-difference
// gradient check and the small test network of the internal ones.
var (
	FDCheck  = fdCheck
	SmallNet = smallNet
)
