// Package migrations is Gatehouse's database schema: embedded, versioned SQL files per dialect
// (postgres/, sqlite/, goose format) and the functions that apply, list and revert them.
package migrations
