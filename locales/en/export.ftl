# The /export workbook: its caption and column titles.
export-workbook-caption = 📗 The same as an Excel workbook: dates as dates, costs as numbers.
export-column-created = Started
export-column-staff-id = Staff ID
export-column-staff-name = Staff member
export-column-phone = Phone
export-column-request = Gateway request
export-column-status = Result
export-column-delivery = Delivery
export-column-cost = Cost, $
export-column-refunded = Refunded
export-column-checked = Code checked
export-column-method = Method
export-column-consent-by = Consent confirmed by (ID)
export-column-consent-at = Consent confirmed at
