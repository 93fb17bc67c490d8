# Gatehouse container image: a static binary on distroless, running as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gatehouse ./cmd/gatehouse \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
# SQLite by default; set DB_URL=postgres://… for PostgreSQL.
ENV DB_URL=sqlite:/data/gatehouse.db
VOLUME /data
EXPOSE 3001 3002
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
