# Gatehouse container image: a static binary on Alpine, running as a non-root user.
#
# Alpine rather than distroless for one reason: Compose files written for Logto start the
# server with `sh -c "npm run cli db seed -- --swe && npm start"` and upgrade with
# `npx @logto/cli db alteration deploy <version>`. The image has a shell and two small
# stand-ins (deploy/logto-compat) that map those lines to the gatehouse binary, so such a
# file works unchanged; `busybox wget` serves the health check.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gatehouse ./cmd/gatehouse

FROM alpine:3.22
RUN addgroup -S -g 65532 gatehouse && adduser -S -D -H -u 65532 -G gatehouse gatehouse \
 && mkdir -p /data /etc/logto/packages/core && chown 65532:65532 /data
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
COPY deploy/logto-compat/npm deploy/logto-compat/npx /usr/local/bin/
USER 65532:65532
# Logto's image runs from /etc/logto/packages/core; Gatehouse keeps its data under /data.
WORKDIR /data
# SQLite by default; set DB_URL=postgres://… for PostgreSQL.
ENV DB_URL=sqlite:/data/gatehouse.db
VOLUME /data
EXPOSE 3001 3002
# Ready: the database answers and every migration is applied (GET /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:${PORT:-3001}/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
