package web

import "embed"

// Experience holds the hosted sign-in pages: experience/*.html templates and
// static/experience/* assets.
//
//go:embed experience/*.html static/experience/*
var Experience embed.FS

// Console holds the admin console's templates (console/*.html) and its assets
// (static/console/*: its stylesheet on top of the hosted pages', the vendored htmx).
//
//go:embed console/*.html static/console/*
var Console embed.FS
