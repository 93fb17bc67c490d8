// Package github is the GitHub social connector (Logto's factory `github-universal`): a GitHub
// OAuth app, the user's profile, and their primary verified email when the profile shows none.
package github
