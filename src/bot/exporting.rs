//! An export as the chat sees it, for `/export` and the admin panel alike: the rows are read a
//! page at a time and written, off the async workers, to temporary files part by part
//! ([`crate::export::Writer`]), so memory stays flat and other chats are answered meanwhile;
//! an export that takes longer than a moment shows its progress in one message, edited as rows
//! are written; then each file is uploaded, none over Telegram's 50 MB limit (a bigger export
//! comes in parts, and its caption says so). One export runs at a time; another waits its turn.

use std::sync::LazyLock;
use std::time::Duration;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{InputFile, MessageId};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

use super::context::{Settings, TgBot};
use super::reply::{patiently, send_to};
use super::texts;
use crate::export::{self, Kind, Part, Writer};
use crate::i18n::Lang;
use crate::store::{ExportRecord, Store};
use crate::{now, tr};

/// Rows read per statement.
const PAGE: u32 = 500;
/// Pages read ahead of the writer at most (memory: `PAGE` rows each).
const AHEAD: usize = 1;
/// The writer's thread yields the CPU to the bot's own (nice 10): other chats are answered
/// first while a big export is written.
const WRITER_NICENESS: i32 = 10;
/// How often the progress message is edited, at most (Telegram limits edits).
const EDIT_EVERY: Duration = Duration::from_secs(2);

/// One export at a time per process: writing a million rows takes a core.
static ONE_AT_A_TIME: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

/// What an export holds: found once, before the job is made (an empty one gets a message,
/// not files).
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub rows: u64,
    /// The id before the first row.
    start: i64,
}

/// What to export and how to say it.
pub struct Job {
    /// From `since` until before `until`, Unix seconds.
    pub since: i64,
    pub until: i64,
    pub span: Span,
    pub lang: Lang,
    /// The first CSV's caption, given the number of rows.
    pub caption: Box<dyn FnOnce(u64) -> String + Send + Sync>,
}

/// What an export of `since..until` holds (`None` when it holds nothing).
pub async fn span(
    store: &Store,
    since: i64,
    until: i64,
) -> Result<Option<Span>, crate::store::StoreError> {
    let (rows, start) = store.export_span(since, until).await?;
    Ok((rows > 0).then_some(Span { rows, start }))
}

/// Writes the export of `job` and sends it to `chat`. A failure of the database or of the
/// files is logged and told in the chat; only Telegram's refusals are returned (so that
/// [`super::reply::privately`] can tell a chat the bot may not write to).
pub async fn run(
    bot: &TgBot,
    store: &Store,
    settings: &Settings,
    chat: ChatId,
    job: Job,
) -> Result<(), RequestError> {
    let _turn = ONE_AT_A_TIME.acquire().await.expect("never closed");
    let lang = job.lang;
    let mut progress = Progress::new(settings.export_progress_after);
    match write(bot, store, settings, chat, &job, &mut progress).await {
        Ok(Written { rows, parts }) => {
            progress
                .say(bot, chat, tr!(lang, "export-sending", count = parts.len()))
                .await?;
            send(
                bot,
                chat,
                lang,
                &settings.time_zone,
                parts,
                rows,
                job.caption,
            )
            .await?;
            let done = texts::export_done(lang, rows);
            progress.finish(bot, chat, done, false).await
        }
        Err(Failed::Telegram(err)) => Err(err),
        Err(Failed::Internal(why)) => {
            tracing::error!("the export failed: {why}");
            progress
                .finish(bot, chat, texts::internal_error(lang), true)
                .await
        }
    }
}

struct Written {
    rows: u64,
    parts: Vec<Part>,
}

enum Failed {
    Telegram(RequestError),
    Internal(String),
}

impl From<RequestError> for Failed {
    fn from(err: RequestError) -> Self {
        Failed::Telegram(err)
    }
}

/// Reads the rows page by page and hands them to a writer on a blocking thread.
async fn write(
    bot: &TgBot,
    store: &Store,
    settings: &Settings,
    chat: ChatId,
    job: &Job,
    progress: &mut Progress,
) -> Result<Written, Failed> {
    let internal = |why: String| Failed::Internal(why);
    let (total, mut after) = (job.span.rows, job.span.start);
    let (pages, mut incoming) = mpsc::channel::<Vec<ExportRecord>>(AHEAD);
    let words = texts::export_words(job.lang);
    let (tz, limits) = (settings.time_zone.clone(), settings.export_limits);
    let (finished, writer) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("export-writer".into())
        .spawn(move || {
            lower_priority();
            let mut writer = Writer::new(words, tz, limits);
            let written = (|| {
                while let Some(page) = incoming.blocking_recv() {
                    writer.write(&page)?;
                }
                writer.finish()
            })();
            let _ = finished.send(written);
        });
    spawned.map_err(|err| internal(format!("cannot start the writer: {err}")))?;
    let mut done = 0u64;
    loop {
        let page = store
            .export_page(job.since, job.until, after, PAGE)
            .await
            .map_err(|err| internal(err.to_string()))?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        done += page.len() as u64;
        let records = page.into_iter().map(|(_, record)| record).collect();
        if pages.send(records).await.is_err() {
            break; // The writer stopped: its error is below.
        }
        let text = texts::export_progress(job.lang, done, total.max(done));
        progress.tick(bot, chat, text).await?;
    }
    drop(pages);
    let parts = writer
        .await
        .map_err(|err| internal(format!("the writer: {err}")))?
        .map_err(|err| internal(err.to_string()))?;
    tracing::info!(rows = done, files = parts.len(), "export written");
    Ok(Written { rows: done, parts })
}

/// This thread gives way to the others of the process (Linux: a thread has its own nice value).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority and gettid only read their arguments; a refusal leaves the priority.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, WRITER_NICENESS);
    }
}

/// Uploads the parts: the CSVs, then the workbooks.
async fn send(
    bot: &TgBot,
    chat: ChatId,
    lang: Lang,
    tz: &jiff::tz::TimeZone,
    parts: Vec<Part>,
    rows: u64,
    caption: Box<dyn FnOnce(u64) -> String + Send + Sync>,
) -> Result<(), RequestError> {
    let today = export::iso_utc(now());
    let today = &today[..10];
    let count = |kind: Kind| parts.iter().filter(|p| p.kind == kind).count() as u32;
    let (csvs, workbooks) = (count(Kind::Csv), count(Kind::Xlsx));
    let mut caption = Some(caption(rows));
    for part in &parts {
        let of = match part.kind {
            Kind::Csv => csvs,
            Kind::Xlsx => workbooks,
        };
        let name = texts::export_part_name(today, part.kind, part.number, of);
        let text = match (part.kind, part.number) {
            (Kind::Csv, 1) => {
                let first = caption.take().unwrap_or_default();
                match of {
                    1 => first,
                    _ => format!("{first}\n{}", tr!(lang, "export-in-parts", parts = of)),
                }
            }
            (Kind::Xlsx, 1) => {
                let zone = texts::export_workbook_caption(lang, tz);
                match of {
                    1 => zone,
                    _ => format!("{zone}\n{}", tr!(lang, "export-in-parts", parts = of)),
                }
            }
            (_, number) => tr!(lang, "export-part", part = number, parts = of),
        };
        let file = InputFile::file(part.file.to_path_buf()).file_name(name);
        let request = bot.send_document(chat, file).caption(text);
        patiently(|| request.clone()).await?;
    }
    Ok(())
}

/// The progress message: sent once the export has taken `after`, then edited at most every
/// [`EDIT_EVERY`], and at the end edited to say it is done.
struct Progress {
    started: Instant,
    after: Duration,
    message: Option<MessageId>,
    edited: Instant,
}

impl Progress {
    fn new(after: Duration) -> Progress {
        let now = Instant::now();
        Progress {
            started: now,
            after,
            message: None,
            edited: now,
        }
    }

    /// Rows were written: say so, if it is time.
    async fn tick(&mut self, bot: &TgBot, chat: ChatId, text: String) -> Result<(), RequestError> {
        let due = match self.message {
            None => self.started.elapsed() >= self.after,
            Some(_) => self.edited.elapsed() >= EDIT_EVERY,
        };
        if due {
            self.say(bot, chat, text).await?;
        }
        Ok(())
    }

    /// Shows `text` in the progress message, if there is one.
    async fn say(&mut self, bot: &TgBot, chat: ChatId, text: String) -> Result<(), RequestError> {
        match self.message {
            None if self.started.elapsed() < self.after => {}
            None => self.message = Some(send_to(bot, chat, text, None).await?.id),
            Some(message) => {
                // A lost edit costs nothing but a stale count.
                if let Err(err) = bot.edit_message_text(chat, message, text).await {
                    tracing::debug!("could not edit the export's progress: {err}");
                }
            }
        }
        self.edited = Instant::now();
        Ok(())
    }

    /// The last word: the progress message edited to `text`; without one (a quick export),
    /// `text` is sent only if it `must` be (a failure).
    async fn finish(
        mut self,
        bot: &TgBot,
        chat: ChatId,
        text: String,
        must: bool,
    ) -> Result<(), RequestError> {
        match self.message {
            Some(_) => self.say(bot, chat, text).await,
            None if must => send_to(bot, chat, text, None).await.map(drop),
            None => Ok(()),
        }
    }
}
