# People: welcome and help, strangers, invites, the staff list, history.

help =
    <b>Confirm a customer’s phone number with Telegram.</b>

    1. Send <code>{ $example }</code> with the customer’s number.
    2. Telegram sends a { $length }-digit code to the customer’s Telegram account.
    3. The customer reads the code out; type it here (in a group, as a reply to the “Code sent” message).
    4. I answer ✅ verified, ❌ wrong code, ⛔ too many wrong codes or ⌛ expired.

    Codes are valid for { $valid }. Spaces and dashes in the code are fine.

    /verify &lt;number&gt; — send a code (or send me the customer’s contact card)
    /qr — customer at the counter: a QR code they scan to share their number for free
    /lookup &lt;number&gt; — what I know about a number
    /status — your open verifications
    /cancel — cancel one
    /history — your latest verifications
    /language — English or Russian
    /help — this message
help-admin =
    As an <b>admin</b>, you can also use:
    /invite — a one-time link for a colleague (/invite admin for an admin)
    /staff — who has access; remove people
    /stats — codes, success rate and spending, with a chart
    /export — verifications as a CSV file and an Excel workbook (/export 7 for a week)
    /reset &lt;number&gt; — clear a number’s send limit
    /events — how events reach your systems
already-member =
    You already have access, so this link was not used.

    { $help }
joined-admin =
    🎉 Welcome! You are now an admin of this bot.

    { $help }
joined-staff =
    🎉 Welcome! You now have access: you can verify customers’ phone numbers.

    { $help }
owner-joined =
    🎉 Welcome! You are now the owner (admin) of this bot.

    { $help }
inviter-notice = 👤 Your invite was used. { $role ->
    [admin] New admin
   *[staff] New member of staff
    }: { $name }{ $handle }, ID <code>{ $id }</code>.

stranger =
    👋 Hello! This bot confirms customers’ phone numbers for the business that runs it.

    If you are a customer, scan the QR code a member of staff shows you, and I’ll ask you to share your number. There is nothing else to do.

    If you are a member of staff, ask an admin for an invite link. Your Telegram ID is <code>{ $id }</code>.
stranger-short = These buttons are for staff. To get access, ask an admin for an invite link. Your Telegram ID is { $id }.
link-used = This link was already used: each invite works once.
link-expired = This link has expired.
link-invalid = This link is not valid: it may be mistyped or cut short.
link-revoked = This link no longer works: the person who made it no longer has access.
link-refused = { $why } Ask an admin for a new invite link. Your Telegram ID is <code>{ $id }</code>.

invite-created-admin =
    🔗 One-time invite for an <b>admin</b>, valid for { $valid }:
    { $link }

    Send it to your colleague. It works once; I’ll tell you when they join.
invite-created-staff =
    🔗 One-time invite for a member of staff, valid for { $valid }:
    { $link }

    Send it to your colleague. It works once; I’ll tell you when they join.
invite-usage = Send /invite for a staff invite, or /invite admin for an admin invite.

staff-title = 👥 <b>Who has access</b>
staff-configured-admin = • ID <code>{ $id }</code> — admin (from ADMIN_IDS, can’t be removed here)
staff-member = • { $name }{ $handle }, ID <code>{ $id }</code> — { $role ->
    [admin] admin
   *[staff] staff
    }, added { $added }{ $by }
staff-by-name = {" "}by { $name }
staff-by-id = {" "}by user { $id }
staff-by-owner-link = {" "}(owner link)
staff-nobody = Nobody yet.
staff-footer =
    {""}
    Invite someone with /invite. Remove someone with the buttons below or <code>/staff remove &lt;ID&gt;</code>.
# When nobody on the list can be removed by the admin reading it (no buttons under it).
staff-footer-invite =
    {""}
    Invite someone with /invite.
staff-remove-usage = To remove someone, send <code>/staff remove &lt;ID&gt;</code>; /staff shows the IDs.
staff-removed = 🗑 { $name } (ID <code>{ $id }</code>) no longer has access. Their history stays.
removed-holdings = { $verifications ->
    [0] No verification of theirs was open
    [one] Their open verification was cancelled and its code revoked
   *[other] Their { $verifications } open verifications were cancelled and their codes revoked
    }, and { $invites ->
    [0] they had no unused invites.
    [one] their unused invite no longer works.
   *[other] their { $invites } unused invites no longer work.
    }
sent-privately = 🔒 I sent you the answer in a private chat.
cannot-write-privately = 🔒 That answer is only for you, and I can’t write to you privately yet. Open a chat with @{ $bot }, tap <b>Start</b>, then send the command again.
cannot-remove-configured-admin = ID <code>{ $id }</code> belongs to an admin from ADMIN_IDS: remove it there and restart the bot.
cannot-remove-self = You can’t remove yourself. Ask another admin.
not-staff = Nobody with ID <code>{ $id }</code> has access, so there is nothing to remove.

history-empty = No verifications yet. To start one, use /verify.
history-title-all = 🕑 <b>Latest verifications</b>
history-title-mine = 🕑 <b>Your latest verifications</b>
history-by-user = user { $id }
