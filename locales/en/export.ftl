# The /export workbook: its caption, sheet, column titles and the words in its cells.
export-workbook-caption = 📗 The same as an Excel workbook: dates as dates, costs as numbers, and times in the { $zone } time zone.
export-sheet = Verifications
export-column-created = Started
export-column-staff-id = Staff ID
export-column-staff-name = Staff member
export-column-phone = Phone
export-column-request = Gateway request
export-column-status = Result
export-column-delivery = Delivery
export-column-cost = Cost (USD)
export-column-refunded = Refunded
export-column-checked = Code checked
export-column-method = Method
export-column-consent-by = Consent recorded by (ID)
export-column-consent-at = Consent recorded at
