// Package sealing is the sealing of sqlstore's secrets at rest: client secrets and the key
// material of logto_configs are sealed with secretbox on write and opened on read, under data
// keys kept in secret_data_keys wrapped by the master key; values still stored in clear are
// sealed at start, and the master key (with, optionally, the data key) is rotated in place.
package sealing
