package web

import "embed"

// Experience holds the hosted sign-in pages: experience/*.html templates and
// static/experience/* assets.
//
//go:embed experience/*.html static/experience/*
var Experience embed.FS
