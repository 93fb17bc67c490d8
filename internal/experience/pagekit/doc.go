// Package pagekit is the hosted pages' frame: templates, the stylesheet, the brand's colours,
// logos and custom CSS made safe, and CSP nonces.
package pagekit
