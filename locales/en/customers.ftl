# Customers: returning numbers, consent, contact cards, /lookup, and the free check at the counter.

method-code = with a code
method-contact = with a QR code
# Who did something, after a verb in the passive: "verified by you".
by-you = by you
by-name = by { $name }
by-user = by user <code>{ $id }</code>

returning =
    ✅ { $phone } was already verified { $by } { $how } { $ago } ({ $when }). No code was sent.

    Send a new code only if the number may have changed hands.
consent-question =
    🤝 Has the customer agreed to receive a code in Telegram at { $phone }?

    Telegram’s rules allow codes only to people who have agreed to receive them, so send it only once they have said yes.
question-cancelled = 🚫 Cancelled: nothing was sent to { $phone }.
question-closed = This question was already answered or has expired. Send /verify again if you need to.

button-send-anyway = 🔁 Send anyway
button-yes-send = ✅ Yes, send
button-qr = 📷 Show a QR code

contact-card-empty = ⚠️ This contact card has no phone number. Send a card that has one, or type <code>{ $example }</code>.

qr-caption =
    📷 Ask the customer to scan this with their phone’s camera and open the link. In the chat that opens, they tap <b>Start</b>, then <b>Send my number</b>. It’s free: no code is sent.{ $meant }

    The link works once, until { $until }:
    { $link }
qr-meant = {" "}The customer’s number: { $phone }.
qr-for-customer = 📷 This link is for the customer: ask them to scan the QR code with their own phone.
qr-offer = If the customer is with you, check their number for free instead: tap <b>Show a QR code</b>.

verified-by-contact = ✅ { $phone } verified with a QR code, for free.
verified-other-number = ⚠️ The customer shared { $phone }, but you expected { $meant }.
code-ended-by-contact = 🔕 Your code to { $phone } was cancelled: the customer confirmed the number with a QR code made { $by }. There is nothing to type.
verified-code-cancelled = The code sent earlier to this number was cancelled.

lookup-usage =
    To see what I know about a number, send /lookup and the number, for example:
    <code>{ $example }</code>
lookup-never = 🔍 { $phone }: I have never seen this number.
lookup-title = 🔍 { $phone }
lookup-verified = ✅ Last verified { $by } { $how } { $ago } ({ $when }).
lookup-not-verified = Not verified yet.
lookup-consent = 🤝 The customer’s consent to receive codes was recorded on { $when } { $by }.
lookup-open = ⏳ Open now: a code sent { $ago } { $by }.
lookup-sends = 🚦 Send limit: { $limit ->
    [one] { $limit } code
   *[other] { $limit } codes
    } per { $window }, { $count } used.

customer-welcome =
    👋 Hello! To confirm your phone number, tap <b>Send my number</b> below.

    It’s free, and only your number is shared.
button-share-phone = 📱 Send my number
customer-thanks = ✅ Thank you! Your number is confirmed. You can close this chat.
customer-not-theirs = ⚠️ This looks like someone else’s number. To share your own, tap <b>Send my number</b> below.
customer-forwarded = ⚠️ A forwarded contact can’t be checked. Please tap <b>Send my number</b> below: Telegram then sends your own number.
customer-tap-below = 👇 Just tap <b>Send my number</b> below. That’s all you need to do.
customer-link-done = ✅ You have already shared your number, so you’re all done. You can close this chat.
customer-link-used = ⚠️ This link has already been used. Ask the staff for a new QR code.
customer-link-expired = ⌛ This link has expired. Ask the staff for a new QR code.
customer-link-unknown = ⚠️ This link doesn’t work. Ask the staff for a new QR code.

callback-sent = 📨 Code sent
callback-ask-consent = 🤝 First, confirm the customer agreed
callback-qr = 📷 The QR code is in the chat
