// Package modelfile reads and writes bbb's model files: a trained
// network's parameters, its optimiser's state and what the network is,
// in one .npz archive that NumPy's np.load reads.
//
// A file holds every variational parameter by its graph name (w_mu0,
// w_rho0, b_mu0, ...), Adam's state (adam/m/NAME, adam/v/NAME, adam_t),
// the epsilon streams' positions (rng/eps_draws, rng/val_draws), the
// losses so far (train_losses; reports: epoch, train, val per row) and
// meta, a JSON document as bytes (bytes(np.load(p)["meta"]).decode()).
// Version 3 stores the Model in meta: the network's configuration, the
// optimiser, the data and the seed, by name. Versions 1 and 2 stored
// bbb train's flags instead; Read still reads them, into the same Model.
//
// Read checks the file (its CRC-32s, bounded reads, every listed
// parameter present and finite); File.Config checks the model it
// describes before anything is built: every size within this package's
// bounds (CheckSize) and every parameter that model has present in the
// file with its shape (CheckParams). So a file cannot make a program
// build what it does not hold.
package modelfile
