//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), with every secret scrubbed
//! from every line, whoever wrote it.
//!
//! Our own code never logs a token, but libraries may: teloxide's network errors quote the request
//! URL, which embeds the bot token (`…/bot123:ABC/GetUpdates`). Rather than trusting every call
//! site, the writer below replaces each secret in the formatted line before it reaches stderr, and
//! the panic hook does the same for panic messages.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Once};

use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

const REDACTED: &str = "[REDACTED]";

/// Replaces every occurrence of a secret in text.
#[derive(Clone, Debug, Default)]
pub struct Scrubber {
    secrets: Arc<[String]>,
}

impl Scrubber {
    pub fn new(secrets: &[String]) -> Self {
        let mut secrets: Vec<String> = secrets.iter().filter(|s| !s.is_empty()).cloned().collect();
        // Longest first, so a secret that contains another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Scrubber {
            secrets: secrets.into(),
        }
    }

    pub fn scrub(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), REDACTED)
        })
    }
}

/// Installs the global subscriber and panic hook. Safe to call more than once (later calls do
/// nothing), which tests rely on.
pub fn init(secrets: &[String]) {
    static INIT: Once = Once::new();
    let scrubber = Scrubber::new(secrets);
    INIT.call_once(move || {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(ScrubbingStderr(scrubber.clone()))
            .with_target(false)
            .with_ansi(io::stderr().is_terminal())
            .init();
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned());
            match message {
                Some(message) => eprintln!("panic{location}: {}", scrubber.scrub(&message)),
                None => default_hook(info),
            }
        }));
    });
}

/// A `MakeWriter` whose writers buffer one formatted event and scrub it on drop.
struct ScrubbingStderr(Scrubber);

impl<'a> MakeWriter<'a> for ScrubbingStderr {
    type Writer = ScrubbedLine;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedLine {
            scrubber: self.0.clone(),
            buffer: Vec::with_capacity(256),
        }
    }
}

struct ScrubbedLine {
    scrubber: Scrubber,
    buffer: Vec<u8>,
}

impl Write for ScrubbedLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let line = self.scrubber.scrub(&String::from_utf8_lossy(&self.buffer));
        self.buffer.clear();
        io::stderr().lock().write_all(line.as_bytes())
    }
}

impl Drop for ScrubbedLine {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_every_secret_including_inside_urls() {
        let scrubber = Scrubber::new(&["123:ABC".into(), "gw-token".into(), String::new()]);
        let line = "GET http://127.0.0.1/bot123:ABC/GetUpdates failed; bearer gw-token; 123:ABC";
        assert_eq!(
            scrubber.scrub(line),
            "GET http://127.0.0.1/bot[REDACTED]/GetUpdates failed; bearer [REDACTED]; [REDACTED]"
        );
    }

    #[test]
    fn leaves_text_without_secrets_alone() {
        let scrubber = Scrubber::new(&["secret".into()]);
        assert_eq!(scrubber.scrub("nothing to see"), "nothing to see");
    }
}
