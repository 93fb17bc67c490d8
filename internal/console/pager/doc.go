// Package pager is the console lists' paging: ?page= read as a store page, and links to the
// neighbouring pages that keep the list's other query parameters.
package pager
