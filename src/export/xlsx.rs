//! The admin `/export` as an Excel workbook, next to the CSV: Excel opens a comma-separated file
//! in one column when the regional settings use another list separator (Russian ones do), while
//! a workbook needs no import at all. Typed columns: times as dates in the business's time zone,
//! money as numbers, the phone as text (so `+44…` keeps its plus), a refund as a boolean; the
//! header row frozen, and columns wide enough to read. Unlike the CSV (for programs), it is for
//! people: the sheet's name, the titles and the words in the cells (status, delivery, method)
//! are in the admin's language ([`Words`]).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::store::{ExportRecord, Method, Status};

/// The workbook's column titles, in the admin's language, in the CSV's column order.
pub type Titles = [String; 13];

/// The workbook's words, in the admin's language.
pub struct Words {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: String,
    pub titles: Titles,
    /// How a verification ended (or that it is open).
    pub status: Box<dyn Fn(Status) -> String + Send + Sync>,
    /// A delivery state as the Gateway reports it (`read`); one it does not know, as it came.
    pub delivery: Box<dyn Fn(&str) -> String + Send + Sync>,
    /// With a code, or by QR code (the customer shared their contact).
    pub method: Box<dyn Fn(Method) -> String + Send + Sync>,
}

/// Column widths, in characters, in the same order.
const WIDTHS: [f64; 13] = [
    17.0, 14.0, 24.0, 17.0, 24.0, 20.0, 18.0, 11.0, 10.0, 17.0, 14.0, 14.0, 17.0,
];

/// The `.xlsx` file's bytes, built whole (for a few rows; [`super::stream`] writes big
/// exports part by part).
pub fn to_xlsx(
    records: &[ExportRecord],
    words: &Words,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<u8>, XlsxError> {
    let mut sheet = Sheet::new(words)?;
    for record in records {
        sheet.push(record, words, tz)?;
    }
    sheet.workbook.save_to_buffer()
}

/// A workbook being written row by row, in rust_xlsxwriter's constant-memory mode: each row is
/// written out (to a temporary file) as soon as the next one starts, so memory stays flat
/// whatever the number of rows.
pub(super) struct Sheet {
    workbook: Workbook,
    when: Format,
    money: Format,
    /// Rows written, the header not counted.
    pub rows: u32,
}

impl Sheet {
    /// A workbook with its one sheet named, its header row written and frozen, and its columns
    /// sized.
    pub fn new(words: &Words) -> Result<Sheet, XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(&words.sheet)?;
        let header = Format::new().set_bold();
        for (col, (title, width)) in words.titles.iter().zip(WIDTHS).enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, width)?;
            sheet.write_string_with_format(0, col, title, &header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Sheet {
            workbook,
            when: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            money: Format::new().set_num_format("0.00##"),
            rows: 0,
        })
    }

    /// One more row.
    pub fn push(
        &mut self,
        record: &ExportRecord,
        words: &Words,
        tz: &jiff::tz::TimeZone,
    ) -> Result<(), XlsxError> {
        let (when, money) = (&self.when, &self.money);
        let sheet = self.workbook.worksheet_from_index(0)?;
        let row = self.rows + 1;
        if let Some(created) = local(record.created_at, tz) {
            sheet.write_datetime_with_format(row, 0, &created, when)?;
        }
        sheet.write_number(row, 1, record.staff_user_id as f64)?;
        sheet.write_string(row, 2, record.staff_name.as_deref().unwrap_or_default())?;
        sheet.write_string(row, 3, record.phone.e164())?;
        if let Some(request_id) = &record.request_id {
            sheet.write_string(row, 4, request_id)?;
        }
        sheet.write_string(row, 5, (words.status)(record.status))?;
        if let Some(delivery) = &record.delivery_status {
            sheet.write_string(row, 6, (words.delivery)(delivery))?;
        }
        if let Some(cost) = record.request_cost.filter(|cost| cost.is_finite()) {
            sheet.write_number_with_format(row, 7, cost, money)?;
        }
        sheet.write_boolean(row, 8, record.is_refunded)?;
        if let Some(checked) = record.checked_at.and_then(|at| local(at, tz)) {
            sheet.write_datetime_with_format(row, 9, &checked, when)?;
        }
        sheet.write_string(row, 10, (words.method)(record.method))?;
        if let Some(by) = record.consent_by {
            sheet.write_number(row, 11, by as f64)?;
        }
        if let Some(at) = record.consent_at.and_then(|at| local(at, tz)) {
            sheet.write_datetime_with_format(row, 12, &at, when)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// The finished workbook, written to `path`.
    pub fn save(mut self, path: &std::path::Path) -> Result<(), XlsxError> {
        self.workbook.save(path)
    }
}

/// Unix seconds as the wall-clock time in `tz` (a spreadsheet date has no time zone).
fn local(unix_seconds: i64, tz: &jiff::tz::TimeZone) -> Option<ExcelDateTime> {
    let at = jiff::Timestamp::from_second(unix_seconds).ok()?;
    let offset = i64::from(tz.to_offset(at).seconds());
    ExcelDateTime::from_timestamp(unix_seconds + offset).ok()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::phone::PhoneNumber;
    use crate::store::{Method, Status};

    /// 2026-11-27T14:05:00Z.
    const T: i64 = 1_795_788_300;

    fn record() -> ExportRecord {
        ExportRecord {
            created_at: T,
            staff_user_id: 123_456_789,
            staff_name: Some("Дмитрий; \"Дима\", =1+2".into()),
            phone: PhoneNumber::from_e164("+447911123456").unwrap(),
            request_id: Some("req_8f3a".into()),
            status: Status::Verified,
            delivery_status: Some("delivered".into()),
            request_cost: Some(0.0125),
            is_refunded: true,
            checked_at: None,
            method: Method::Contact,
            consent_by: Some(42),
            consent_at: Some(T - 30),
        }
    }

    fn words() -> Words {
        Words {
            sheet: "Проверки".into(),
            titles: std::array::from_fn(|i| format!("Column {i}")),
            status: Box::new(|status| format!("status {}", status.as_str())),
            delivery: Box::new(|state| format!("delivery {state}")),
            method: Box::new(|method| format!("method {}", method.as_str())),
        }
    }

    fn read(bytes: Vec<u8>) -> calamine::Range<Data> {
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx file");
        workbook.worksheet_range("Проверки").expect("the sheet")
    }

    #[test]
    fn the_workbook_reads_back_with_typed_cells() {
        let moscow = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
        let sheet = read(to_xlsx(&[record()], &words(), &moscow).unwrap());
        assert_eq!(sheet.get((0, 0)), Some(&Data::String("Column 0".into())));
        let row: Vec<&Data> = (0..13).map(|col| sheet.get((1, col)).unwrap()).collect();
        // A date, in the business's time zone: 14:05 UTC is 17:05 in Moscow.
        let Data::DateTime(created) = row[0] else {
            panic!("{:?}", row[0])
        };
        let days = created.as_f64();
        let minutes_of_day = ((days - days.floor()) * 24.0 * 60.0).round() as i64;
        assert_eq!(minutes_of_day, 17 * 60 + 5);
        assert_eq!(row[1], &Data::Float(123_456_789.0));
        assert_eq!(row[2], &Data::String("Дмитрий; \"Дима\", =1+2".into()));
        assert_eq!(row[3], &Data::String("+447911123456".into()));
        assert_eq!(row[5], &Data::String("status verified".into()));
        assert_eq!(row[6], &Data::String("delivery delivered".into()));
        assert_eq!(row[7], &Data::Float(0.0125));
        assert_eq!(row[8], &Data::Bool(true));
        assert_eq!(row[9], &Data::Empty);
        assert_eq!(row[10], &Data::String("method contact".into()));
        assert_eq!(row[11], &Data::Float(42.0));
        assert!(matches!(row[12], Data::DateTime(_)), "{:?}", row[12]);
    }

    #[test]
    fn an_empty_export_is_a_header_only() {
        let sheet = read(to_xlsx(&[], &words(), &jiff::tz::TimeZone::UTC).unwrap());
        assert_eq!(sheet.height(), 1);
        assert_eq!(sheet.width(), 13);
    }
}
