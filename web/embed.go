package web

import "embed"

// Experience holds the hosted sign-in pages: experience/*.html templates and
// static/experience/* assets.
//
//go:embed experience/*.html static/experience/*
var Experience embed.FS

// Console holds the admin console's templates (console/*.html); it uses the hosted pages'
// stylesheet.
//
//go:embed console/*.html
var Console embed.FS
