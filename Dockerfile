# syntax=docker/dockerfile:1
# pii-proxy container image: built with the Rust toolchain image, run on a
# slim Debian base as an unprivileged user. Config, rules, keys and
# certificates are mounted (never baked in: key material is never in an
# image); the audit log and consent journal live on a volume.
#
#   docker build -t pii-proxy .
#   docker run --rm -p 8080:8080 \
#     -v "$PWD/deploy/container:/etc/pii-proxy:ro" \
#     -v pii-proxy-secrets:/run/secrets/pii-proxy:ro \
#     -v pii-proxy-data:/var/lib/pii-proxy \
#     pii-proxy
#
# docs/deploy.md walks through it (creating the keyring and token first).

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# Dependencies first, so a source change does not rebuild them: a stub
# crate with the real manifest and lock file.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches/load/tools \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && for b in engine consent detect audit; do echo 'fn main() {}' > "benches/$b.rs"; done \
    && echo 'fn main() {}' > benches/load/tools/main.rs \
    && cargo build --release --locked --bin pii-proxy \
    && rm -rf src benches
COPY src ./src
COPY benches ./benches
# `touch` so cargo sees the real sources as newer than the stub build.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin pii-proxy \
    && install -m 0755 target/release/pii-proxy /usr/local/bin/pii-proxy

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates: the system roots partner TLS is verified against;
# curl: the HEALTHCHECK below (the image has no other HTTP client).
# Versions are not pinned (DL3008): the Debian release is, and its security
# updates are what a rebuild should pick up.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 pii-proxy \
    && useradd --system --uid 10001 --gid pii-proxy --home-dir /var/lib/pii-proxy \
       --shell /usr/sbin/nologin pii-proxy \
    && install -d -o pii-proxy -g pii-proxy -m 0700 /var/lib/pii-proxy \
       /var/lib/pii-proxy/audit /var/lib/pii-proxy/consent
COPY --from=build /usr/local/bin/pii-proxy /usr/local/bin/pii-proxy
USER 10001:10001
WORKDIR /var/lib/pii-proxy
# /etc/pii-proxy: pii-proxy.yaml and rules/ (read-only);
# /run/secrets/pii-proxy: keyring.json, admin.token, tls.crt, tls.key;
# /var/lib/pii-proxy: audit/ and consent/ (must persist).
VOLUME ["/var/lib/pii-proxy"]
ENV PII_PROXY_CONFIG=/etc/pii-proxy/pii-proxy.yaml \
    PII_PROXY_LOG_FORMAT=json
EXPOSE 8080 9090
# The admin listener answers /healthz without a token; inside the
# container it is on loopback (deploy/container/pii-proxy.yaml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9090/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pii-proxy"]
CMD ["serve"]
