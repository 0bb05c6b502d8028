//! The bot's HTTP side as tests reach it: health, metrics, delivery reports and the webhook.

use std::time::Duration;

use serde_json::Value;

use super::app::{GATEWAY_TOKEN, TestApp};
use super::fake_gateway::sign_report;

/// Webhook mode, as configured by the app's environment.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// The path of `WEBHOOK_URL`, which the bot serves.
    pub path: String,
    pub secret: String,
    /// `WEBHOOK_SETUP` (default true).
    pub setup: bool,
}

/// An answer from the bot's HTTP server.
#[derive(Clone, Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl TestApp {
    /// `http://127.0.0.1:<HTTP_ADDR port>`.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub fn webhook(&self) -> Option<Webhook> {
        let url = reqwest::Url::parse(self.env("WEBHOOK_URL")?).expect("WEBHOOK_URL is a URL");
        Some(Webhook {
            path: url.path().to_owned(),
            secret: self.env("WEBHOOK_SECRET").unwrap_or_default().to_owned(),
            setup: self.env("WEBHOOK_SETUP") != Some("false"),
        })
    }

    pub async fn get(&self, path: &str) -> HttpAnswer {
        let response = client()
            .get(format!("{}{path}", self.http_url()))
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}\n{}", self.logs()));
        answer(response).await
    }

    /// Whether `/healthz` answers 200 right now.
    pub async fn is_healthy(&self) -> bool {
        let url = format!("{}/healthz", self.http_url());
        match client().get(url).send().await {
            Ok(response) => response.status() == 200,
            Err(_) => false,
        }
    }

    /// POSTs an update to the webhook path with the given secret header (none if `None`).
    pub async fn post_update(&self, update: &Value, secret: Option<&str>) -> u16 {
        let webhook = self.webhook().expect("webhook mode");
        let mut request = client()
            .post(format!("{}{}", self.http_url(), webhook.path))
            .json(update);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let response = request.send().await.expect("the webhook answers");
        response.status().as_u16()
    }

    /// Delivers every queued update to the webhook, as Telegram would, with the right secret.
    pub async fn deliver_updates_by_webhook(&self) {
        let secret = self.webhook().expect("webhook mode").secret;
        while let Some(update) = self.telegram.take_update() {
            let status = self.post_update(&update, Some(&secret)).await;
            assert_eq!(
                status,
                200,
                "the webhook refused an update:\n{}",
                self.logs()
            );
        }
    }

    /// POSTs a delivery report with exactly these headers (none when `None`).
    pub async fn post_report(
        &self,
        body: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
    ) -> u16 {
        let mut request = client()
            .post(format!("{}/gateway/report", self.http_url()))
            .header("Content-Type", "application/json")
            .body(body.to_owned());
        if let Some(timestamp) = timestamp {
            request = request.header("X-Request-Timestamp", timestamp);
        }
        if let Some(signature) = signature {
            request = request.header("X-Request-Signature", signature);
        }
        let response = request.send().await.expect("the report route answers");
        response.status().as_u16()
    }

    /// POSTs `body` as a report signed like the Gateway does, with `timestamp`.
    pub async fn post_signed_report(&self, body: &str, timestamp: i64) -> u16 {
        let timestamp = timestamp.to_string();
        let signature = sign_report(GATEWAY_TOKEN, &timestamp, body.as_bytes());
        self.post_report(body, Some(&timestamp), Some(&signature))
            .await
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

async fn answer(response: reqwest::Response) -> HttpAnswer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    HttpAnswer {
        status,
        content_type,
        body,
    }
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
