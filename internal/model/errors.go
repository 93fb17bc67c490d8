package model

import "errors"

// ErrNotFound is returned (wrapped) when what was looked up does not exist: a row of the store,
// a client of the directory, a token or code by its value. The store's ErrNotFound is this
// value, so every layer tests for it with errors.Is without importing the store.
var ErrNotFound = errors.New("not found")
