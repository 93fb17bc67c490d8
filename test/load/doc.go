// Command load drives a running Gatehouse with concurrent keep-alive clients and reports
// requests/s, latency percentiles, errors and the server's resident memory. It only ever talks to
// loopback addresses and stops by itself after a bounded time and request count.
package main
