# syntax=docker/dockerfile:1
# Build:  docker build -t verify-bot .
# Run:    docker run --env-file .env -p 8080:8080 -v verify-bot-data:/data verify-bot

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that code changes do not rebuild them.
COPY Cargo.toml Cargo.lock ./
# The manifest names the benchmark and the example: they must exist for cargo to read it.
COPY benches benches
COPY examples examples
RUN mkdir src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY migrations migrations
# Embedded at compile time (include_bytes!): the chart font and its licence.
COPY assets assets
# Embedded at compile time (fluent-templates' static_loader!): the texts in every language.
COPY locales locales
COPY src src
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
    && cp target/release/verify-bot /verify-bot
# The runtime needs nothing but the binary and the C libraries it links (glibc, libgcc_s): TLS
# roots and time zones are compiled in, DNS is glibc's own. Gather them, plus a user and the
# writable directories, into one tree for an image built from scratch.
RUN mkdir -p /runtime/etc /runtime/tmp /runtime-data/data \
    && ldd /verify-bot | grep -o '/[^ ]*' | xargs -I '{}' cp -L --parents '{}' /runtime \
    && echo 'verify-bot:x:10001:10001::/data:/sbin/nologin' > /runtime/etc/passwd \
    && echo 'verify-bot:x:10001:' > /runtime/etc/group \
    && chmod 1777 /runtime/tmp

FROM scratch
COPY --from=build /runtime/ /
# /data is created by this COPY, so it belongs to the bot's user (a named volume inherits that).
COPY --from=build --chown=10001:10001 /runtime-data/ /
COPY --from=build /verify-bot /usr/local/bin/verify-bot
USER 10001:10001
WORKDIR /data
VOLUME /data
ENV DATABASE_URL=sqlite:///data/verify-bot.db \
    RUST_LOG=info
# HTTP_ADDR: /healthz, /metrics, /gateway/report and (in webhook mode) the webhook.
EXPOSE 8080
# The bot stops cleanly on SIGTERM (docker stop) with exit code 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/verify-bot"]
