# The admin panel (a Telegram Mini App): every text its pages show. No arguments anywhere:
# the pages put numbers, dates and names next to these texts themselves.

panel-title = Verifications panel
panel-loading = Loading…
panel-denied = 🔒 Open this panel from your chat with the bot in Telegram: send /panel there.

panel-tab-overview = Overview
panel-tab-verifications = Verifications
panel-tab-staff = Staff
panel-tab-export = Export

panel-period-today = Today
panel-period-week = 7 days
panel-period-month = 30 days
panel-figure-sent = Codes sent
panel-figure-verified = Verified
panel-figure-by-code = by code
panel-figure-by-contact = by QR code
panel-figure-failed = Failed
panel-figure-expired = Expired
panel-figure-cancelled = Cancelled
panel-figure-rate = Success rate
panel-figure-spent = Spent
panel-figure-refunded = Refunded
panel-balance = Gateway balance, last reported
panel-balance-unknown = not known yet

panel-chart-title = Codes sent and numbers verified per day ({ $zone })
panel-chart-sent = Codes sent
panel-chart-verified = Verified
panel-chart-empty = No codes were sent in the last 30 days.
panel-latest-title = Latest verifications
panel-latest-empty = No verifications yet. Start one in the chat with /verify.

panel-status-sending = Sending
panel-status-pending = Waiting for the code
panel-status-verified = Verified
panel-status-max_attempts = Too many wrong codes
panel-status-expired = Expired
panel-status-cancelled = Cancelled
panel-status-failed = Not sent

panel-method-code = by code
panel-method-contact = by QR code

panel-delivery-sent = 📤 Sent
panel-delivery-delivered = 📬 Delivered
panel-delivery-read = 👁 Read
panel-delivery-expired = ⌛ Expired unread
panel-delivery-revoked = 🚫 Revoked

panel-action-send = Code sent
panel-action-check = Code checked
panel-action-max_attempts = Too many wrong codes
panel-action-contact_share = Contact shared
panel-action-reset = Send limit cleared
panel-action-send_refused = Code not sent
panel-action-refused = Refused
panel-action-staff_removed = Staff member removed
panel-action-invite_created = Invite link made
panel-action-access_granted = Access granted

panel-filter-status = Status
panel-filter-status-all = Any status
panel-filter-staff = Staff member
panel-filter-staff-all = Everyone
panel-filter-from = From
panel-filter-to = To
panel-filter-digits = Last digits
panel-filter-clear = Clear filters
panel-column-number = Number
panel-column-status = Result
panel-page = Page
panel-page-prev = ← Newer
panel-page-next = Older →
panel-verifications-empty = No verifications match these filters.

panel-details-title = Verification
panel-details-back = ← Back
panel-details-status = Result
panel-details-phone = Number
panel-details-method = Verified
panel-details-staff = Staff member
panel-details-created = Started
panel-details-sent = Code sent
panel-details-expires = Code valid until
panel-details-closed = Closed
panel-details-delivery = Delivery
panel-details-attempts = Wrong codes
panel-details-cost = Cost
panel-details-refunded = 💸 refunded
panel-audit-title = What happened
panel-audit-empty = Nothing recorded.
panel-actor-bot = the bot
panel-user-id = ID

panel-staff-title = People with access
panel-staff-empty = Nobody yet.
panel-role-admin = Admin
panel-role-staff = Staff
panel-staff-you = you
panel-staff-config = from ADMIN_IDS
panel-staff-added = Added
panel-staff-by = invited by
panel-staff-remove = Remove
panel-confirm-title = Remove their access?
panel-confirm-text = They can no longer send codes. Their open verifications are cancelled; their history stays.
panel-confirm-yes = Remove
panel-confirm-no = Keep

panel-invite-title = Invite a colleague
panel-invite-hint = Make a link and send it to them privately. Whoever opens it first gets access.
panel-invite-staff = Invite staff
panel-invite-admin = Invite an admin
panel-invite-copy = Copy
panel-invite-copied = Copied
panel-invite-until = Works once, until

panel-export-title = Export
panel-export-hint = I’ll send you the CSV file and the Excel workbook in our private chat.
panel-export-from = From
panel-export-to = To
panel-export-send = Send files
panel-export-sent = ✅ Sent to our private chat. Verifications:
panel-export-empty = There were no verifications in that range, so I sent nothing.

panel-error-network = ⚠️ I couldn’t reach the bot. Check your connection.
panel-error-server = ⚠️ Something went wrong on my side. Please try again.
panel-error-forbidden = 🔒 Only admins can see this.
panel-error-not-found = I couldn’t find that verification.
panel-retry = Try again
panel-dismiss = OK
