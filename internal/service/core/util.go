package core

import (
	"slices"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// IsTrue reports whether an optional flag is set and true.
func IsTrue(b *bool) bool { return b != nil && *b }

// NonNil returns s, or an empty slice for nil, so lists encode as [] rather than null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Dedupe returns s without repeated values, keeping the first occurrence's order.
func Dedupe(s []string) []string {
	out := make([]string, 0, len(s))
	seen := make(map[string]bool, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// PageOf is the slice of all that p selects.
func PageOf[T any](all []T, p model.Page) []T {
	start := min(max(p.Offset, 0), len(all))
	end := len(all)
	if p.Limit > 0 {
		end = min(start+p.Limit, len(all))
	}
	return all[start:end]
}

// Union is base followed by the values of add it lacks; never nil.
func Union(base, add []string) []string {
	out := slices.Clone(base)
	for _, s := range add {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
