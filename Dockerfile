# streamcap as a static binary on a distroless base: the image
# `streamcap bench kube --image` expects (its entry point is streamcap).
#
#   docker build -t registry.example/streamcap:$(git describe --always) .
#
# The build stage needs the Go module proxy; the result has no shell and
# runs as the distroless "nonroot" user (65532), as the Job's pod security
# context requires.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/streamcap ./cmd/streamcap

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/streamcap /usr/local/bin/streamcap
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/streamcap"]
