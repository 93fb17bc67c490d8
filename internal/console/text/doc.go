// Package text is the admin console's wording in English and Simplified Chinese, one file per
// page area, falling back to the hosted pages' wording (field labels, error codes).
package text
