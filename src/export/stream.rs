//! A big export written part by part to temporary files, in constant memory whatever its size:
//! rows arrive a page at a time ([`Writer::write`]) and go straight to the CSV and to the
//! workbook (rust_xlsxwriter's constant-memory mode). Telegram refuses uploads over 50 MB, so a
//! CSV that reaches [`Limits::csv_bytes`] is closed and the next rows start a new part (with the
//! byte order mark and the header again), and a workbook is closed every
//! [`Limits::xlsx_rows`] rows. Each part is a file of its own, deleted when its [`Part`] is
//! dropped.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use rust_xlsxwriter::XlsxError;
use tempfile::{NamedTempFile, TempPath};

use super::xlsx::Sheet;
use super::{BOM, HEADER, Words};
use crate::store::ExportRecord;

/// Where parts are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A CSV part is closed once it holds this many bytes (the row that crosses it included).
    pub csv_bytes: u64,
    /// Rows per workbook.
    pub xlsx_rows: u32,
}

impl Default for Limits {
    /// Well under Telegram's 50 MB: a CSV row is at most a few hundred bytes, and a workbook of
    /// 200,000 rows is about 10 MB.
    fn default() -> Self {
        Limits {
            csv_bytes: 45_000_000,
            xlsx_rows: 200_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write an export file: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// A CSV or a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

/// One finished file of an export.
#[derive(Debug)]
pub struct Part {
    pub kind: Kind,
    /// 1, 2, … within its kind.
    pub number: u32,
    pub rows: u64,
    pub bytes: u64,
    /// The file (deleted with the part).
    pub file: TempPath,
}

/// Counts what is written through it, into a buffered file. Its `flush` only hands bytes on:
/// the csv writer flushes after every row, so that the count is exact, and the file itself is
/// flushed once, when the part is finished.
struct Counting {
    out: BufWriter<File>,
    bytes: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.out.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A CSV part being written.
struct CsvPart {
    writer: csv::Writer<Counting>,
    file: TempPath,
    rows: u64,
}

impl CsvPart {
    fn new() -> Result<CsvPart, ExportError> {
        let (file, path) = NamedTempFile::new()?.into_parts();
        let mut counting = Counting {
            out: BufWriter::new(file),
            bytes: 0,
        };
        counting.write_all(BOM)?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(counting);
        let mut part = CsvPart {
            writer,
            file: path,
            rows: 0,
        };
        part.append(HEADER.iter().map(|f| f.as_bytes()))?;
        Ok(part)
    }

    fn append<'a>(
        &mut self,
        fields: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<(), ExportError> {
        self.writer.write_record(fields)?;
        self.writer.flush()?;
        Ok(())
    }

    /// Bytes in the part so far (exact: the row just written included).
    fn bytes(&self) -> u64 {
        self.writer.get_ref().bytes
    }

    fn finish(self, number: u32) -> Result<Part, ExportError> {
        let mut counting = self
            .writer
            .into_inner()
            .map_err(|err| ExportError::Io(err.into_error()))?;
        counting.out.flush()?;
        Ok(Part {
            kind: Kind::Csv,
            number,
            rows: self.rows,
            bytes: counting.bytes,
            file: self.file,
        })
    }
}

/// An export being written: the current CSV and workbook, and the parts already closed.
pub struct Writer {
    words: Words,
    tz: jiff::tz::TimeZone,
    limits: Limits,
    csv: Option<CsvPart>,
    sheet: Option<Sheet>,
    csv_parts: Vec<Part>,
    xlsx_parts: Vec<Part>,
}

impl Writer {
    pub fn new(words: Words, tz: jiff::tz::TimeZone, limits: Limits) -> Writer {
        Writer {
            words,
            tz,
            limits,
            csv: None,
            sheet: None,
            csv_parts: Vec::new(),
            xlsx_parts: Vec::new(),
        }
    }

    /// The next rows, in order.
    pub fn write(&mut self, records: &[ExportRecord]) -> Result<(), ExportError> {
        for record in records {
            self.write_csv(record)?;
            self.write_xlsx(record)?;
        }
        Ok(())
    }

    fn write_csv(&mut self, record: &ExportRecord) -> Result<(), ExportError> {
        let part = match &mut self.csv {
            Some(part) => part,
            None => self.csv.insert(CsvPart::new()?),
        };
        part.append(super::record(record).iter().map(|f| f.as_bytes()))?;
        part.rows += 1;
        if part.bytes() >= self.limits.csv_bytes {
            self.close_csv()?;
        }
        Ok(())
    }

    fn write_xlsx(&mut self, record: &ExportRecord) -> Result<(), ExportError> {
        let sheet = match &mut self.sheet {
            Some(sheet) => sheet,
            None => self.sheet.insert(Sheet::new(&self.words)?),
        };
        sheet.push(record, &self.words, &self.tz)?;
        if sheet.rows >= self.limits.xlsx_rows {
            self.close_xlsx()?;
        }
        Ok(())
    }

    fn close_csv(&mut self) -> Result<(), ExportError> {
        if let Some(part) = self.csv.take() {
            let number = self.csv_parts.len() as u32 + 1;
            self.csv_parts.push(part.finish(number)?);
        }
        Ok(())
    }

    fn close_xlsx(&mut self) -> Result<(), ExportError> {
        if let Some(sheet) = self.sheet.take() {
            let rows = u64::from(sheet.rows);
            let path = NamedTempFile::new()?.into_temp_path();
            sheet.save(&path)?;
            let bytes = std::fs::metadata(&path)?.len();
            self.xlsx_parts.push(Part {
                kind: Kind::Xlsx,
                number: self.xlsx_parts.len() as u32 + 1,
                rows,
                bytes,
                file: path,
            });
        }
        Ok(())
    }

    /// Every part, the CSVs first, each kind in order. No rows at all: one empty CSV and one
    /// empty workbook (headers only).
    pub fn finish(mut self) -> Result<Vec<Part>, ExportError> {
        if self.csv_parts.is_empty() && self.csv.is_none() {
            self.csv = Some(CsvPart::new()?);
        }
        if self.xlsx_parts.is_empty() && self.sheet.is_none() {
            self.sheet = Some(Sheet::new(&self.words)?);
        }
        self.close_csv()?;
        self.close_xlsx()?;
        let mut parts = self.csv_parts;
        parts.append(&mut self.xlsx_parts);
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::phone::PhoneNumber;
    use crate::store::{Method, Status};

    fn record(i: u32) -> ExportRecord {
        ExportRecord {
            created_at: 1_795_788_300 + i64::from(i),
            staff_user_id: 7,
            staff_name: Some(format!("Staff {i}")),
            phone: PhoneNumber::from_e164(&format!("+4479111{i:05}")).unwrap(),
            request_id: Some(format!("req_{i}")),
            status: Status::Verified,
            delivery_status: None,
            request_cost: Some(0.01),
            is_refunded: false,
            checked_at: None,
            method: Method::Code,
            consent_by: None,
            consent_at: None,
        }
    }

    fn words() -> Words {
        Words {
            sheet: "Verifications".into(),
            titles: std::array::from_fn(|i| format!("Column {i}")),
            status: Box::new(|status| status.as_str().to_owned()),
            delivery: Box::new(str::to_owned),
            method: Box::new(|method| method.as_str().to_owned()),
        }
    }

    /// Writes `n` rows, `page` at a time, with `limits`.
    fn export(n: u32, page: usize, limits: Limits) -> Vec<Part> {
        let rows: Vec<ExportRecord> = (0..n).map(record).collect();
        let mut writer = Writer::new(words(), jiff::tz::TimeZone::UTC, limits);
        for chunk in rows.chunks(page) {
            writer.write(chunk).unwrap();
        }
        writer.finish().unwrap()
    }

    /// The request ids of a CSV part, in order (the header checked and skipped).
    fn csv_ids(part: &Part) -> Vec<String> {
        let bytes = std::fs::read(&part.file).unwrap();
        assert!(bytes.starts_with(BOM), "each part starts with the BOM");
        let mut reader = csv::Reader::from_reader(&bytes[BOM.len()..]);
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, HEADER, "each part has the header");
        reader.records().map(|r| r.unwrap()[4].to_owned()).collect()
    }

    fn xlsx_ids(part: &Part) -> Vec<String> {
        let bytes = std::fs::read(&part.file).unwrap();
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = workbook.worksheet_range("Verifications").unwrap();
        assert_eq!(sheet.get((0, 4)), Some(&Data::String("Column 4".into())));
        (1..sheet.height())
            .map(|row| sheet.get((row, 4)).unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_small_export_is_one_csv_and_one_workbook() {
        let parts = export(5, 2, Limits::default());
        let kinds: Vec<(Kind, u32, u64)> =
            parts.iter().map(|p| (p.kind, p.number, p.rows)).collect();
        assert_eq!(kinds, [(Kind::Csv, 1, 5), (Kind::Xlsx, 1, 5)]);
        let expected: Vec<String> = (0..5).map(|i| format!("req_{i}")).collect();
        assert_eq!(csv_ids(&parts[0]), expected);
        assert_eq!(xlsx_ids(&parts[1]), expected);
        assert_eq!(
            parts[0].bytes,
            std::fs::metadata(&parts[0].file).unwrap().len()
        );
    }

    #[test]
    fn a_big_export_is_cut_into_parts_that_together_hold_every_row_once() {
        let limits = Limits {
            csv_bytes: 600,
            xlsx_rows: 4,
        };
        let parts = export(23, 5, limits);
        let csvs: Vec<&Part> = parts.iter().filter(|p| p.kind == Kind::Csv).collect();
        let workbooks: Vec<&Part> = parts.iter().filter(|p| p.kind == Kind::Xlsx).collect();
        assert!(csvs.len() > 1, "{} CSV parts", csvs.len());
        assert_eq!(workbooks.len(), 6, "23 rows, 4 a workbook");
        let numbers: Vec<u32> = csvs.iter().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=csvs.len() as u32).collect::<Vec<_>>());
        let expected: Vec<String> = (0..23).map(|i| format!("req_{i}")).collect();
        let all_csv: Vec<String> = csvs.iter().flat_map(|p| csv_ids(p)).collect();
        let all_xlsx: Vec<String> = workbooks.iter().flat_map(|p| xlsx_ids(p)).collect();
        assert_eq!(all_csv, expected);
        assert_eq!(all_xlsx, expected);
        for part in &csvs[..csvs.len() - 1] {
            // Cut at the first row past the limit: never much over it.
            assert!(
                part.bytes >= 600 && part.bytes < 600 + 200,
                "{}",
                part.bytes
            );
        }
    }

    #[test]
    fn an_empty_export_is_two_headers_and_parts_are_deleted_with_them() {
        let parts = export(0, 1, Limits::default());
        assert_eq!(parts.len(), 2);
        assert!(csv_ids(&parts[0]).is_empty());
        assert!(xlsx_ids(&parts[1]).is_empty());
        let paths: Vec<std::path::PathBuf> = parts.iter().map(|p| p.file.to_path_buf()).collect();
        drop(parts);
        assert!(
            paths.iter().all(|p| !p.exists()),
            "temporary files are removed"
        );
    }
}
