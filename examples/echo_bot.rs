//! The smallest teloxide bot: long polling, one handler that answers each message with its text.
//!
//! It is the framework's ceiling in `cargo bench --bench load` (see BENCHMARKS.md): the same
//! teloxide version, HTTP client and polling loop as verify-bot, and no work of its own.
//!
//! ```sh
//! TELOXIDE_TOKEN=… TELOXIDE_API_URL=http://127.0.0.1:8081 cargo run --release --example echo_bot
//! ```

use teloxide::prelude::*;

#[tokio::main]
async fn main() {
    let bot = Bot::from_env();
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = msg.text().unwrap_or("(no text)").to_owned();
        bot.send_message(msg.chat.id, text).await?;
        Ok::<(), teloxide::RequestError>(())
    });
    Dispatcher::builder(bot, handler)
        .default_handler(|_| async {})
        .build()
        .dispatch()
        .await;
}
