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

FROM debian:bookworm-slim
# TLS roots are compiled into the binary (rustls + webpki-roots): no packages needed.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin verify-bot \
    && mkdir -p /data && chown verify-bot /data
COPY --from=build /verify-bot /usr/local/bin/verify-bot
USER verify-bot
WORKDIR /data
VOLUME /data
ENV DATABASE_URL=sqlite:///data/verify-bot.db \
    RUST_LOG=info
# HTTP_ADDR: /healthz, /metrics, /gateway/report and (in webhook mode) the webhook.
EXPOSE 8080
# The bot stops cleanly on SIGTERM (docker stop) with exit code 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/verify-bot"]
