# Admins: refusals, resets, balance, channel and events alerts, /stats, /export, /events.

admins-only = 🔒 Only admins can do that.
reset-usage =
    To clear a number’s send limit, send /reset and the number, for example:
    <code>/reset +44 7911 123456</code>
reset-done = ♻️ The send limit and cooldown for <code>{ $phone }</code> are cleared: /verify can send it a code right away.

balance-low = 💰 The Telegram Gateway balance is low: { $remaining } left. Top it up at gateway.telegram.org so that codes keep going out.
balance-empty = 💰 The Telegram Gateway balance is used up, so no codes can be sent. Top it up at gateway.telegram.org.

events-alert-failing = 📡 Events are not reaching EVENTS_URL: every delivery has failed for { $duration }. The last error: { $error }. Nothing is lost: each event is retried until EVENTS_MAX_AGE, and /events shows where things stand.
events-alert-recovered = 📡 Events are reaching EVENTS_URL again; the ones that waited are being delivered.
events-alert-gone = 📡 EVENTS_URL answered 410 Gone, so no more events are sent to it. They wait in the outbox: set EVENTS_URL to the new address and restart the bot, and they are delivered there.

sender-not-verified =
    📢 No codes are going out: Telegram has not verified the channel { $channel }, so the Telegram Gateway won’t send codes from it (<code>SENDER_NOT_VERIFIED</code>).

    To fix it, get the channel verified by Telegram (telegram.org/verify): the next /verify then works. Or remove SENDER_USERNAME and restart the bot to send codes from Telegram’s own “Verification Codes” chat instead.
sender-not-owned =
    📢 No codes are going out: the channel { $channel } belongs to a different Telegram account from the one that owns the Gateway token, so the Telegram Gateway won’t send codes from it (<code>SENDER_NOT_OWNED</code>).

    To fix it, transfer the channel to the account you log in to gateway.telegram.org with. Or set SENDER_USERNAME to a channel that account owns (or remove it) and restart the bot.
sender-username-invalid =
    📢 No codes are going out: the Telegram Gateway does not accept { $channel } as a channel to send codes from (<code>SENDER_USERNAME_INVALID</code>).

    To fix it, check that SENDER_USERNAME is spelled right and that a channel with this username exists, then restart the bot. Or remove SENDER_USERNAME to send codes from Telegram’s own “Verification Codes” chat instead.

stats-title = 📊 <b>Verifications</b> (days in { $zone })
stats-period =
    <b>{ $name }</b>
    Codes sent: { $sent }
    ✅ Verified: { $verified } · ⛔ Failed: { $failed } · ⌛ Expired: { $expired } · 🚫 Cancelled: { $cancelled }
    Success rate: { $rate }
    📷 Verified by QR code (free): { $by_contact }
    Spent: { $spent } · refunded: { $refunded }
stats-balance = 💰 Gateway balance (last reported): { $balance }
stats-balance-unknown = not known yet
stats-today = Today
stats-7-days = Last 7 days
stats-30-days = Last 30 days

chart-title = Codes sent and numbers verified per day, last 30 days ({ $zone })
chart-caption = 📈 Codes sent and numbers verified per day
chart-sent = Codes sent: { $count }
chart-verified = Verified: { $count }
chart-day = { $day } { $month }
chart-empty = No codes were sent and no numbers verified in this period

export-usage = Send /export for the last 30 days, or /export 7 for the last 7 (any number from 1 to 366). You get a CSV file and an Excel workbook.
export-empty = No verifications in the last { $days ->
    [one] day
   *[other] { $days } days
    }, so there is nothing to export.
export-progress = ⏳ Writing the export: { $done } of { $total } verifications so far.
export-sending = ⏳ Sending the export: { $count ->
    [one] one file
   *[other] { $count } files
    }.
export-done = ✅ The export is ready: { $count ->
    [one] { $shown } verification
   *[other] { $shown } verifications
    }, in the files below.
export-in-parts = Telegram takes files of up to 50 MB, so this export comes in { $parts } parts: this is part 1.
export-part = Part { $part } of { $parts }.
export-caption-range = 🧾 Your export from the admin panel: { $count ->
    [one] { $shown } verification
   *[other] { $shown } verifications
    } from { $from } to { $to }, as a CSV file (times in UTC).
export-caption = 🧾 { $count ->
    [one] { $shown } verification
   *[other] { $shown } verifications
    } from the last { $days ->
    [one] day
   *[other] { $days } days
    }, as a CSV file (times in UTC).

events-usage = Send /events to see how events reach your systems, or /events resend to send the given-up events again.
events-off = 📡 Events are off. To send every change of a verification to your own systems (a CRM, a spreadsheet, n8n or Zapier), set EVENTS_URL and EVENTS_SECRET and restart the bot: the README’s “Events” section says how.
events-state =
    📡 <b>Events</b> → <code>{ $url }</code>
    { $state }
    Last success: { $last_success }
    { $pending }
    { $given_up }
    Delivered in the last 24 hours: { $delivered }
events-state-ok = ✅ Delivering.
events-state-none-yet = ⏳ Nothing delivered yet.
events-state-failing = ⚠️ Failing since { $since }: { $error }. Each event is tried again later.
events-state-gone = ⛔ Stopped: the receiver answered 410 Gone on { $at }, so nothing more goes to this URL. Set another EVENTS_URL and restart the bot to start again.
events-never = never
events-pending = ⏳ Waiting to be delivered: { $count }
events-pending-oldest = ⏳ Waiting to be delivered: { $count } (the oldest for { $age })
events-given-up = 🗑 Given up: { $count }
events-given-up-resend = 🗑 Given up: { $count }. /events resend sends them again.
events-resend-none = Nothing to send again: no event has been given up.
events-resent = 🔁 { $count ->
    [one] { $count } given-up event is
   *[other] { $count } given-up events are
    } queued again. Receivers recognise an event they already have by its <code>webhook-id</code>.
