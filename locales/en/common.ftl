# Shared pieces: menus, buttons, errors, Gateway problems, units.

menu-verify = Send a code to a customer’s phone
menu-status = Show your open verifications
menu-cancel = Cancel an open verification
menu-history = Your latest verifications
menu-qr = Customer at the counter: free check by QR code
menu-lookup = What the bot knows about a number
menu-help = How this bot works
menu-panel = Tables and a chart in the admin panel
menu-language = Change the language
menu-invite = Admin: invite a colleague
menu-staff = Admin: list or remove staff
menu-stats = Admin: codes, success rate and spending
menu-export = Admin: verifications as CSV and Excel files
menu-reset = Admin: clear a number’s send limit
menu-events = Admin: how events reach your systems

button-resend = 🔁 Resend code
button-cancel = ✖️ Cancel
button-remove = 🗑 Remove { $name }

access-unavailable = ⚠️ I can’t answer right now. Please try again in a minute.
internal-error = ⚠️ Something went wrong on my side and your request was not completed. Please try again in a minute.
unknown-command = I don’t know that command. /help lists what I can do.
not-text = I can only read text messages. /help lists what I can do.

gw-balance-not-enough = the Telegram Gateway balance is too low. Ask the account owner to top it up.
gw-flood-wait = Telegram has asked me to slow down. Try again in { $wait }.
gw-phone-not-found = this number can’t receive codes on Telegram (it may have no Telegram account). Verify it another way.
gw-phone-invalid = Telegram does not accept this phone number. Check it with the customer.
gw-token-refused = the Telegram Gateway refused the bot’s access token. An admin needs to fix GATEWAY_TOKEN.
gw-code-expired = the code has expired.
gw-max-attempts = too many wrong codes were typed.
gw-refused = the Telegram Gateway refused the request (<code>{ $error }</code>). Try again later.
gw-timeout = the Telegram Gateway did not answer in time.
gw-unreachable = the Telegram Gateway could not be reached.
gw-bad-response = the Telegram Gateway is having trouble (it answered with an HTTP { $status } error page).

unit-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
unit-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
unit-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
unit-seconds = { $count ->
    [one] { $count } second
   *[other] { $count } seconds
}
just-now = just now
ago = { $duration } ago
until = in { $duration } (at { $clock })

month-short = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}

language-pick = 🌐 Bot language:
language-set = 🌐 From now on I’ll answer in English.
language-english = English
language-russian = Русский

# The admin panel (a Mini App): /panel and the menu button.
panel-open = 📊 The admin panel: the figures, a chart and every verification in tables. It opens here in Telegram.
button-open-panel = 📊 Open the panel
menu-button-panel = Panel
panel-in-group = 📊 The panel opens only in a private chat with me: open @{ $bot } and send /panel there.
panel-off = 📊 The admin panel is not set up: it needs <code>PUBLIC_URL</code>, the bot’s public HTTPS address. Ask whoever runs the bot to set it.
