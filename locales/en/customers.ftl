# Customers: returning numbers, consent, contact cards, /lookup, and the free check at the counter.

method-code = with a code
method-contact = by contact share
someone = user <code>{ $id }</code>
you = you

returning =
    ✅ { $phone } was already verified { $ago } ({ $when }) by { $who }, { $how }. No code was sent.

    Send a new code only if the number may have changed hands.
consent-question =
    🤝 Has the customer agreed to receive a code in Telegram at { $phone }?

    Each code costs money: send it only once they have said yes.
question-cancelled = 🚫 Cancelled: nothing was sent to { $phone }.
question-closed = This question was already answered or has expired. Type /verify again if needed.

button-send-anyway = 🔁 Send a new code anyway
button-yes-send = ✅ Yes, send
button-qr = 📷 Customer is here: QR instead

contact-card-empty = ⚠️ This contact card has no phone number. Send a card that has one, or type <code>{ $example }</code>.

qr-caption =
    📷 Ask the customer to scan this with their phone's camera, then tap <b>Share my phone number</b> in the chat that opens. It's free: no code is sent.{ $meant }

    The link works once, until { $until }:
    { $link }
qr-meant = {" "}For { $phone }.
qr-for-customer = 📷 This link is for the customer: ask them to scan the QR code with their own phone.

verified-by-contact = ✅ { $phone } verified by contact share, no code needed.
verified-other-number = ⚠️ The customer shared { $phone }, but you expected { $meant }.
code-ended-by-contact = 🔕 Your code to { $phone } was cancelled: { $colleague } verified the number by contact share. There is nothing to type.
verified-code-cancelled = The code sent earlier to this number was cancelled.

lookup-usage =
    To see what I know about a number, send /lookup and the number, for example:
    <code>{ $example }</code>
lookup-never = 🔍 { $phone }: I have never seen this number.
lookup-title = 🔍 { $phone }
lookup-verified = ✅ Last verified { $ago } ({ $when }) by { $who }, { $how }.
lookup-not-verified = Not verified yet.
lookup-consent = 🤝 The customer's consent to receive codes was confirmed on { $when } by { $who }.
lookup-open = ⏳ Open now: a code sent by { $who } { $ago }.
lookup-sends = 📨 Send limit: { $count } of { $limit } codes used (per { $window }).

customer-welcome =
    👋 Hello! To confirm your phone number, tap <b>Share my phone number</b> below.

    It's free, and only your number is shared.
button-share-phone = 📱 Share my phone number
customer-thanks = ✅ Thank you! Your number is confirmed. You can close this chat.
customer-not-theirs = ⚠️ That is not your own number. Please tap <b>Share my phone number</b> below to share yours.
customer-forwarded = ⚠️ A forwarded contact can't be checked. Please tap <b>Share my phone number</b> below: Telegram then sends your own number.
customer-use-button = 👇 Just tap <b>Share my phone number</b> below. That's all you need to do.
customer-link-used = ⚠️ This link has already been used. Ask the staff for a new QR code.
customer-link-expired = ⌛ This link has expired. Ask the staff for a new QR code.
customer-link-unknown = ⚠️ This link doesn't work. Ask the staff for a new QR code.

callback-sent = 📨 Code sent
callback-ask-consent = 🤝 First, confirm the customer agreed
callback-qr = 📷 The QR code is in the chat
