# The verification flow: sending, checking, cancelling, status.

usage =
    To verify a customer, send /verify and their phone number with the country code, for example:
    <code>{ $example }</code>
bad-phone-characters = <code>{ $input }</code> is not a phone number: use digits, with spaces, dashes, dots or brackets if you like.
bad-phone-no-country = <code>{ $input }</code> has no country code. Start it with <b>+</b> and the country code.
bad-phone-invalid = <code>{ $input }</code> is not a valid phone number. Check the digits and the country code.
# For /lookup, /qr and /reset, which send no code.
bad-phone =
    { $why }

    For example: <code>{ $example }</code>
# For /verify.
bad-phone-not-sent =
    { $why } No code was sent.

    For example: <code>{ $example }</code>
# For a contact card whose number is not one.
bad-phone-card =
    { $why } No code was sent.

    Fix the number in the contact card, or type it, for example: <code>{ $example }</code>

code-sent =
    📨 Code sent to { $phone }.

    Ask the customer for the { $length }-digit code Telegram just sent them and type it here. It is valid for { $valid }.
code-sent-group =
    📨 Code sent to { $phone }.

    Ask the customer for the { $length }-digit code Telegram just sent them and type it here as a reply to this message. It is valid for { $valid }.
already-open-mine =
    ⏳ You already have an open verification for { $phone }: a code was sent { $ago }. No new code was sent.

    Type the code the customer reads out, or use the buttons below.
already-open-colleague =
    ⏳ A code to { $phone } was already sent { $ago } { $by }, and that verification is still open. No new code was sent.

    Only the person who sent the code can type it, so ask them to. If the customer is with you, /qr checks the number for free.
send-unknown =
    ⚠️ I can’t tell whether a code was sent: { $problem } If it was, it is paid for and counts towards the limits.

    Ask the customer whether a code arrived. If it did, /qr checks the number for free now (or type the code once I say here that the send is confirmed). If it didn’t, you can send another { $when }.
right-away = right away
answer-not-recorded = I could not record the Gateway’s answer.
send-interrupted = I was interrupted while sending a code to { $phone }.
code-resurfaced =
    📨 The Telegram Gateway confirms that a code was sent to { $phone } after all.

    Ask the customer for the { $length }-digit code and type it here.
not-allowed = ⛔ Only the person who started this verification can use its buttons, and only in the chat where they started it.
send-failed = ⚠️ No code was sent: { $problem }
send-failed-sender = ⚠️ No code was sent: the Telegram Gateway won’t send codes from the channel { $channel }. Nothing was charged, and the admins have been told.
send-failed-sender-prechecked = ⚠️ No code was sent: the Telegram Gateway won’t send codes from the channel { $channel }. Only the pre-check was paid for, and the admins have been told.

refused = 🚦 No code sent: { $why }
refused-cooldown = a code was sent to this number moments ago. You can send another { $when }.
refused-phone-limit = this number has already received { $limit ->
    [one] { $limit } code
   *[other] { $limit } codes
    } in the last { $window }. You can send another { $when }, or an admin can clear the limit with /reset.
refused-staff-daily = you have used up your daily limit of { $limit ->
    [one] { $limit } code
   *[other] { $limit } codes
    }. It resets { $when }.
refused-budget = today’s budget of { $budget } is used up ({ $spent } spent). It resets { $when }.

no-longer-open = This verification is no longer open. To send a new code, use /verify.
nothing-open-code =
    No verification is open here, so I did not check that code.

    { $usage }
waiting-for-code = I’m waiting for the { $length }-digit code sent to { $phone }. Type it here, or /cancel.
several-open-not-code = You have { $count } open verifications here. Type the code the customer reads out as a reply to the matching “Code sent” message, or /cancel.
not-yours = That verification ({ $phone }) is a colleague’s, so I did not check the code. Only the person who sent the code can type it.
already-closed = The verification for { $phone } is already closed, so I did not check the code.
which-customer = You have { $count } open verifications here. Which customer is this code for?
wrong-length = 🔢 You typed { $got ->
    [one] { $got } digit
   *[other] { $got } digits
    }, but the code has { $length }. Check it with the customer and type it again. (I did not check it, so no attempt was used.)
still-sending = ⏳ The code for { $phone } is still being sent. Type it again in a moment.
verified = ✅ Verified: { $phone } belongs to your customer.
wrong-code = ❌ Wrong code for { $phone } (attempt { $attempt }). Ask the customer to read it again and type it here, or /cancel.
max-attempts = ⛔ Too many wrong codes for { $phone }. This verification is closed; to send a new code, use { $again }.
expired = ⌛ The code for { $phone } has expired. To send a new one, use { $again }.
lost = ⚠️ The Telegram Gateway has no record of this verification any more, so it is closed. To send a new code, use { $again }.
check-unavailable =
    ⚠️ I couldn’t check the code: { $problem }

    The verification for { $phone } is still open: type the code again in a moment.
unrecognised = ⚠️ The Telegram Gateway sent an answer I don’t recognise (<code>{ $verdict }</code>). The verification for { $phone } is still open: type the code again, or /cancel.

cancel-nothing = There is nothing to cancel: you have no open verification here.
cancel-which = You have { $count } open verifications here. Which one should I cancel?
cancelled = 🚫 Cancelled the verification for { $phone }. If the code has not reached the customer yet, Telegram will delete it.
cancelled-revoke-failed = 🚫 Cancelled the verification for { $phone }, but the code could not be revoked: { $problem }

status-none =
    No verification is open here.

    { $usage }
status-title-one = 📋 <b>Open verification</b>
status-title-many = 📋 <b>{ $count } open verifications</b>
status-number = Number: { $phone }
status-sent = Code sent { $ago } by you
status-valid = Valid for { $left } more
status-delivery = Delivery: { $delivery }
status-attempts = Wrong codes so far: { $count }
status-footer = Type the code the customer reads out, or /cancel.

callback-cancelled = Cancelled
callback-resent = New code sent
callback-not-sent = No code sent: see the chat
callback-checked = Checked: see the chat
callback-unknown = This button no longer works.

delivery-line = <b>Delivery:</b> { $steps }
delivery-refunded = 💸 fee refunded
delivery-sent = 📤 Sent
delivery-delivered = 📬 Delivered
delivery-read = 👁 Read
delivery-expired = ⌛ Expired unread
delivery-revoked = 🚫 Revoked
