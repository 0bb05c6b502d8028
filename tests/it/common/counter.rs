//! The free check at the counter, as tests drive it: a `/qr` picture read back, its link opened
//! by a customer, and the contact they share.

use super::app::{PATIENCE, TestApp};
use super::fake_telegram::{SentMessage, TgUser};

impl TestApp {
    /// `from` sends `/qr …` in `chat`; returns the link the QR picture holds (read back from the
    /// PNG) and the picture's caption.
    pub async fn qr(&self, from: &TgUser, chat: i64, command: &str) -> (String, String) {
        let before = self.telegram.calls_to("sendPhoto").len();
        self.telegram.push_text(from, chat, command);
        self.qr_sent(before).await
    }

    /// The QR picture sent after `before` pictures: its link and caption.
    pub async fn qr_sent(&self, before: usize) -> (String, String) {
        self.telegram
            .wait_for_call("sendPhoto", before + 1, PATIENCE)
            .await;
        let upload = self
            .telegram
            .uploads()
            .into_iter()
            .filter(|u| u.method == "sendphoto")
            .nth(before)
            .expect("the picture was uploaded");
        let png = &upload.files[0].bytes;
        let links = crate::common::qr::decode(png);
        assert_eq!(links.len(), 1, "one QR code in the picture");
        let caption = upload.params["caption"].as_str().unwrap_or_default();
        assert!(
            caption.contains(&links[0]),
            "the caption holds the link: {caption}"
        );
        (links[0].clone(), caption.to_owned())
    }

    /// `who` opens `link` (`/start <token>`) in their private chat; returns the bot's answer.
    pub async fn open(&self, who: &TgUser, link: &str) -> SentMessage {
        let token = link.split("?start=").nth(1).expect("a start link");
        self.say_as(who, who.id as i64, &format!("/start {token}"))
            .await
    }

    /// `who` shares a contact in their private chat; returns the bot's answer to them.
    pub async fn share(&self, who: &TgUser, number: &str, user_id: Option<u64>) -> SentMessage {
        let chat = who.id as i64;
        let before = self.telegram.messages_to(chat).len();
        self.telegram.push_contact(who, chat, number, user_id);
        self.nth_message(chat, before + 1).await
    }

    /// `who` shares a contact that answers a check made from `staff_chat`: returns the bot's
    /// answer to them and the next message in `staff_chat` (what staff are told).
    pub async fn share_and_tell(
        &self,
        who: &TgUser,
        number: &str,
        user_id: Option<u64>,
        staff_chat: i64,
    ) -> (SentMessage, SentMessage) {
        let told_before = self.telegram.messages_to(staff_chat).len();
        let answer = self.share(who, number, user_id).await;
        let told = self.nth_message(staff_chat, told_before + 1).await;
        (answer, told)
    }
}
