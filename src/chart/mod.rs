//! The admin `/stats` chart: codes sent and numbers verified per UTC day, as a PNG in memory.
//!
//! Pure drawing, no Telegram and no database: the caller counts the days, translates the words
//! ([`Labels`]) and sends the bytes as a photo. [`activity_png`] draws grouped bars (sent,
//! verified) with [`plotters`] into an RGB buffer, sets the words on top ([`typeset`]) and
//! encodes it with the [`png`] crate.

mod typeset;

use ab_glyph::FontRef;
use plotters::prelude::*;

use crate::i18n::group_digits;
use typeset::{Align, Label, text_width};

/// Width of the chart in pixels.
pub const WIDTH: u32 = 1000;
/// Height of the chart in pixels.
pub const HEIGHT: u32 = 500;

const BACKGROUND: RGBColor = WHITE;
const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);
const SENT: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const VERIFIED: RGBColor = RGBColor(0x59, 0xA1, 0x4F);

const TITLE_SIZE: f32 = 26.0;
const LEGEND_SIZE: f32 = 17.0;
const AXIS_LABEL_SIZE: f32 = 15.0;
/// Height of the band above the plot that holds the title and the legend.
const HEADER_HEIGHT: u32 = 84;
/// Units of the x axis per day.
const SLOT: i32 = 100;
/// Width of one bar, in hundredths of a day.
const BAR_WIDTH: i32 = 36;
/// Gap between the two bars of a day, in hundredths of a day.
const BAR_GAP: i32 = 4;

/// One UTC day of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayActivity {
    /// Unix seconds at 00:00 UTC of the day.
    pub day_start: i64,
    /// Codes sent that day.
    pub sent: u32,
    /// Successful verifications that day.
    pub verified: u32,
}

/// Why a chart could not be made. None of these is expected in practice: each means a bug or a
/// broken build, not bad input.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be parsed.
    #[error("the embedded chart font could not be loaded")]
    Font,
    /// plotters failed while drawing.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The pixels could not be encoded as PNG.
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

/// The chart's words, already in the reader's language: the caller translates, the chart only
/// draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// On top; none when empty.
    pub title: String,
    /// The legend entries, the period's totals included ("Codes sent: 1,234").
    pub sent: String,
    pub verified: String,
    /// One x axis label per day of the chart's days, in the same order ("27 Nov").
    pub days: Vec<String>,
    /// Said across the plot when no code was sent in the period.
    pub empty: String,
    /// Between groups of three digits on the y axis: `,` in English, a no-break space in
    /// Russian.
    pub thousands: char,
}

/// Sends and successful verifications per day as a [`WIDTH`]×[`HEIGHT`] PNG: grouped bars, a
/// legend, day labels on the x axis, counts from 0 on the y axis, and the title on top, all in
/// the words given.
///
/// `days` is oldest first, one entry per day (usually 30). All-zero days, and an empty slice,
/// still give a chart (with an empty plot).
pub fn activity_png(days: &[DayActivity], words: &Labels) -> Result<Vec<u8>, ChartError> {
    let font = typeset::font().ok_or(ChartError::Font)?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    let labels = draw_shapes(&mut rgb, font, days, words).map_err(ChartError::Draw)?;
    for label in &labels {
        typeset::typeset(&mut rgb, WIDTH, font, label);
    }
    encode_png(&rgb)
}

/// The labels among `words` that would not fit the picture: the title and the legend row
/// within its width (less a margin), each day label within 70 px (the x axis shows about 15).
/// Empty when every one fits.
pub fn overflowing(words: &Labels) -> Vec<String> {
    let Some(font) = typeset::font() else {
        return vec!["(the chart font does not load)".into()];
    };
    let room = WIDTH as f32 - 40.0;
    let legend = text_width(font, &words.sent, LEGEND_SIZE)
        + text_width(font, &words.verified, LEGEND_SIZE)
        + 2.0 * 22.0
        + 40.0;
    let mut over = Vec::new();
    if text_width(font, &words.title, TITLE_SIZE) > room {
        over.push(words.title.clone());
    }
    if legend > room {
        over.push(format!("{} / {}", words.sent, words.verified));
    }
    over.extend(
        words
            .days
            .iter()
            .filter(|day| text_width(font, day, AXIS_LABEL_SIZE) > 70.0)
            .cloned(),
    );
    over
}

/// Draws background, grid, axes, ticks and bars; returns the text to set on top.
fn draw_shapes(
    rgb: &mut [u8],
    font: &FontRef<'_>,
    days: &[DayActivity],
    words: &Labels,
) -> Result<Vec<Label>, String> {
    let title = words.title.as_str();
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&BACKGROUND).map_err(|e| e.to_string())?;
    let (_, body) = root.split_vertically(HEADER_HEIGHT);
    let mut labels = Vec::new();

    if !title.is_empty() {
        labels.push(Label {
            text: title.to_owned(),
            x: WIDTH as i32 / 2,
            y: 18,
            align: Align::TopCentre,
            size: TITLE_SIZE,
            colour: TEXT,
        });
    }

    // The legend: one centred row below the title, swatch and label per series.
    let legend = [
        (SENT, words.sent.clone()),
        (VERIFIED, words.verified.clone()),
    ];
    const SWATCH: i32 = 14;
    const SWATCH_GAP: i32 = 8;
    const ENTRY_GAP: i32 = 40;
    const LEGEND_MIDDLE: i32 = 62;
    let widths: Vec<i32> = legend
        .iter()
        .map(|(_, text)| text_width(font, text, LEGEND_SIZE).ceil() as i32)
        .collect();
    let total: i32 = widths
        .iter()
        .map(|w| SWATCH + SWATCH_GAP + w + ENTRY_GAP)
        .sum::<i32>();
    let mut x = (WIDTH as i32 - (total - ENTRY_GAP)) / 2;
    for ((colour, text), width) in legend.into_iter().zip(widths) {
        let top = LEGEND_MIDDLE - SWATCH / 2;
        root.draw(&Rectangle::new(
            [(x, top), (x + SWATCH, top + SWATCH)],
            colour.filled(),
        ))
        .map_err(|e| e.to_string())?;
        labels.push(Label {
            text,
            x: x + SWATCH + SWATCH_GAP,
            y: LEGEND_MIDDLE,
            align: Align::MiddleLeft,
            size: LEGEND_SIZE,
            colour: TEXT,
        });
        x += SWATCH + SWATCH_GAP + width + ENTRY_GAP;
    }

    let max = days
        .iter()
        .map(|d| d.sent.max(d.verified))
        .max()
        .unwrap_or(0);
    let (y_top, y_step) = y_axis(max);
    let y_ticks: Vec<u32> = (0..=y_top / y_step).map(|i| i * y_step).collect();
    let y_label_width = y_ticks
        .iter()
        .map(|&v| {
            text_width(
                font,
                &group_digits(u64::from(v), words.thousands),
                AXIS_LABEL_SIZE,
            )
            .ceil() as u32
        })
        .max()
        .unwrap_or(0);
    let x_ticks = x_ticks(days.len());

    // The x axis counts hundredths of a day (plotters cannot format custom key points on an f64
    // axis): day i is centred on x = 100·i and its pair of bars fills most of its 100 units.
    let n = days.len().max(1) as i32;
    let x_range = -SLOT / 2..n * SLOT - SLOT / 2;
    let mut chart = ChartBuilder::on(&body)
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(16)
        .margin_right(30)
        .x_label_area_size(30)
        .y_label_area_size(y_label_width + 14)
        .build_cartesian_2d(
            x_range.clone().with_key_points(x_ticks.clone()),
            (0u32..y_top).with_key_points(y_ticks.clone()),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|_| String::new())
        .draw()
        .map_err(|e| e.to_string())?;

    for tick in x_ticks {
        let (px, py) = chart.backend_coord(&(tick, 0));
        let day = usize::try_from(tick / SLOT)
            .ok()
            .and_then(|i| words.days.get(i));
        labels.extend(day.map(|day| Label {
            text: day.clone(),
            x: px,
            y: py + 10,
            align: Align::TopCentre,
            size: AXIS_LABEL_SIZE,
            colour: MUTED,
        }));
    }
    for tick in y_ticks {
        let (px, py) = chart.backend_coord(&(x_range.start, tick));
        labels.push(Label {
            text: group_digits(u64::from(tick), words.thousands),
            x: px - 9,
            y: py,
            align: Align::MiddleRight,
            size: AXIS_LABEL_SIZE,
            colour: MUTED,
        });
    }

    if max == 0 {
        let (left, top) = chart.backend_coord(&(x_range.start, y_top));
        let (right, bottom) = chart.backend_coord(&(x_range.end, 0));
        labels.push(Label {
            text: words.empty.clone(),
            x: (left + right) / 2,
            y: (top + bottom) / 2 - 8,
            align: Align::TopCentre,
            size: LEGEND_SIZE,
            colour: MUTED,
        });
    }

    let bar = |x0: i32, value: u32, colour: RGBColor| {
        Rectangle::new([(x0, value), (x0 + BAR_WIDTH, 0)], colour.filled())
    };
    chart
        .draw_series(
            days.iter()
                .enumerate()
                .filter(|(_, d)| d.sent > 0)
                .map(|(i, d)| bar(i as i32 * SLOT - BAR_WIDTH - BAR_GAP / 2, d.sent, SENT)),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            days.iter()
                .enumerate()
                .filter(|(_, d)| d.verified > 0)
                .map(|(i, d)| bar(i as i32 * SLOT + BAR_GAP / 2, d.verified, VERIFIED)),
        )
        .map_err(|e| e.to_string())?;

    root.present().map_err(|e| e.to_string())?;
    Ok(labels)
}

/// The y axis: its top and the distance between ticks, both round numbers (1, 2 or 5 times a
/// power of ten), with 4 to 8 intervals and the top at or above `max`. Small counts, zero
/// included, get 0–5.
fn y_axis(max: u32) -> (u32, u32) {
    if max <= 5 {
        return (5, 1);
    }
    // The first of 1, 2, 5, 10, 20, 50, … that needs at most 8 intervals.
    let mut decade: u64 = 1;
    let step = loop {
        match [1, 2, 5]
            .map(|m| m * decade)
            .into_iter()
            .find(|s| s * 8 >= u64::from(max))
        {
            Some(step) => break step,
            None => decade *= 10,
        }
    };
    let top = u64::from(max).div_ceil(step) * step;
    // step <= 1e9 always fits; the rounded top may not (counts near u32::MAX).
    let step = u32::try_from(step).unwrap_or(u32::MAX);
    (u32::try_from(top).unwrap_or(u32::MAX), step)
}

/// Which days get an x label: at most about 15, evenly spaced, always including the newest.
fn x_ticks(n: usize) -> Vec<i32> {
    const MAX_LABELS: usize = 15;
    if n == 0 {
        return Vec::new();
    }
    let step = n.div_ceil(MAX_LABELS).max(1);
    let mut ticks: Vec<i32> = (0..n)
        .rev()
        .step_by(step)
        .map(|i| i as i32 * SLOT)
        .collect();
    ticks.reverse();
    ticks
}

/// Encodes the RGB buffer as an 8-bit RGB PNG.
fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// English words for `days`, as a caller would give them.
    fn words(title: &str, days: &[DayActivity]) -> Labels {
        let total = |count: fn(&DayActivity) -> u32| {
            group_digits(days.iter().map(|d| u64::from(count(d))).sum(), ',')
        };
        Labels {
            title: title.to_owned(),
            sent: format!("Codes sent: {}", total(|d| d.sent)),
            verified: format!("Verified: {}", total(|d| d.verified)),
            days: (1..=days.len()).map(|i| format!("Nov {i}")).collect(),
            empty: "No codes were sent in this period".to_owned(),
            thousands: ',',
        }
    }

    const DAY: i64 = 86_400;
    /// 2026-10-29 00:00:00 UTC.
    const START: i64 = 1_793_232_000;

    fn month(counts: impl Fn(usize) -> (u32, u32)) -> Vec<DayActivity> {
        (0..30)
            .map(|i| {
                let (sent, verified) = counts(i);
                DayActivity {
                    day_start: START + i as i64 * DAY,
                    sent,
                    verified,
                }
            })
            .collect()
    }

    fn realistic() -> Vec<DayActivity> {
        month(|i| {
            let sent = ((i * 37 + 11) % 23) as u32 + if i % 7 >= 5 { 0 } else { 12 };
            (sent, sent * 4 / 5)
        })
    }

    /// Decodes a PNG and returns (width, height, RGB bytes).
    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        buf.truncate(info.buffer_size());
        assert_eq!(info.color_type, png::ColorType::Rgb);
        (info.width, info.height, buf)
    }

    fn distinct_colours(rgb: &[u8]) -> usize {
        let mut colours: Vec<&[u8]> = rgb.chunks(3).collect();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }

    fn count_colour(rgb: &[u8], colour: RGBColor) -> usize {
        rgb.chunks(3)
            .filter(|p| *p == [colour.0, colour.1, colour.2])
            .count()
    }

    #[test]
    fn renders_a_png_of_the_stated_size() {
        let png_bytes = activity_png(&realistic(), &words("Last 30 days", &realistic())).unwrap();
        assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature");
        let (w, h, rgb) = decode(&png_bytes);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert_eq!(rgb.len(), (WIDTH * HEIGHT * 3) as usize);
        assert!(distinct_colours(&rgb) > 10, "not a flat picture");
        assert!(count_colour(&rgb, SENT) > 1000, "sent bars are drawn");
        assert!(
            count_colour(&rgb, VERIFIED) > 1000,
            "verified bars are drawn"
        );
    }

    #[test]
    fn renders_all_zero_days_and_no_days() {
        for days in [month(|_| (0, 0)), Vec::new()] {
            let (w, h, rgb) = decode(&activity_png(&days, &words("Nothing yet", &days)).unwrap());
            assert_eq!((w, h), (WIDTH, HEIGHT));
            assert!(
                distinct_colours(&rgb) > 10,
                "axes, labels and title are drawn"
            );
            // Only the legend swatch (14×14) has the bar colour.
            assert_eq!(count_colour(&rgb, SENT), 14 * 14, "no bars");
        }
    }

    #[test]
    fn renders_large_counts() {
        for peak in [999_999, u32::MAX] {
            let days = month(|i| {
                if i == 29 {
                    (peak, peak / 2)
                } else {
                    (i as u32, 0)
                }
            });
            let (w, h, rgb) = decode(&activity_png(&days, &words("Busy", &days)).unwrap());
            assert_eq!((w, h), (WIDTH, HEIGHT));
            assert!(count_colour(&rgb, SENT) > 1000, "the peak bar is drawn");
        }
    }

    #[test]
    fn renders_a_single_day_and_a_year() {
        let one = [DayActivity {
            day_start: START,
            sent: 3,
            verified: 1,
        }];
        let year: Vec<_> = (0..365)
            .map(|i| DayActivity {
                day_start: START + i * DAY,
                sent: 5,
                verified: 2,
            })
            .collect();
        for days in [&one[..], &year[..]] {
            let (w, h, _) = decode(&activity_png(days, &words("Edge", days)).unwrap());
            assert_eq!((w, h), (WIDTH, HEIGHT));
        }
    }

    #[test]
    fn the_embedded_font_draws_the_title() {
        let days = realistic();
        let a = decode(&activity_png(&days, &words("Verifications", &days)).unwrap()).2;
        let b = decode(&activity_png(&days, &words("Something else entirely", &days)).unwrap()).2;
        let untitled = decode(&activity_png(&days, &words("", &days)).unwrap()).2;
        assert_ne!(a, b, "different titles give different pictures");
        // The title line holds dark glyph pixels only when there is a title.
        let dark_in_title_band = |rgb: &[u8]| {
            let band = &rgb[(WIDTH * 8 * 3) as usize..(WIDTH * 45 * 3) as usize];
            band.chunks(3)
                .filter(|p| p.iter().all(|c| *c < 0x80))
                .count()
        };
        assert!(dark_in_title_band(&a) > 100, "title glyphs are drawn");
        assert_eq!(dark_in_title_band(&untitled), 0);
    }

    #[test]
    fn y_axis_is_round_and_covers_the_maximum() {
        assert_eq!(y_axis(0), (5, 1));
        assert_eq!(y_axis(1), (5, 1));
        assert_eq!(y_axis(7), (7, 1));
        assert_eq!(y_axis(9), (10, 2));
        assert_eq!(y_axis(23), (25, 5));
        assert_eq!(y_axis(100), (100, 20));
        assert_eq!(y_axis(1234), (1400, 200));
        assert_eq!(y_axis(u32::MAX), (u32::MAX, 1_000_000_000));
        for max in (6..20_000).chain([999_999, 4_000_000_000]) {
            let (top, step) = y_axis(max);
            assert!(top >= max && top % step == 0, "{max}: {top}/{step}");
            assert!((4..=8).contains(&(top / step)), "{max}: {top}/{step}");
            let lead = step / 10u32.pow(step.ilog10());
            assert!(
                [1, 2, 5].contains(&lead) && step % 10u32.pow(step.ilog10()) == 0,
                "{step}"
            );
        }
    }

    #[test]
    fn x_labels_are_sparse_and_end_on_the_newest_day() {
        assert_eq!(x_ticks(0), Vec::<i32>::new());
        assert_eq!(x_ticks(3), vec![0, 100, 200]);
        let month = x_ticks(30);
        assert_eq!(month.last(), Some(&2900));
        assert!(month.len() <= 15 && month.len() >= 10, "{month:?}");
        assert!(x_ticks(365).len() <= 15);
    }

    /// Writes a sample to /tmp/stats-sample.png for a human to look at:
    /// `cargo test --lib chart::tests::write_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let png_bytes = activity_png(
            &realistic(),
            &words("Verifications, last 30 days (UTC)", &realistic()),
        )
        .unwrap();
        std::fs::write("/tmp/stats-sample.png", png_bytes).unwrap();
        let zeros = activity_png(
            &month(|_| (0, 0)),
            &words("Verifications, last 30 days (UTC)", &month(|_| (0, 0))),
        )
        .unwrap();
        std::fs::write("/tmp/stats-sample-zero.png", zeros).unwrap();
        let big = month(|i| (i as u32 * 40_000, i as u32 * 31_000));
        let big = activity_png(&big, &words("Verifications, last 30 days (UTC)", &big)).unwrap();
        std::fs::write("/tmp/stats-sample-big.png", big).unwrap();
        let week: Vec<_> = realistic().into_iter().skip(23).collect();
        let week = activity_png(&week, &words("Verifications, last 7 days (UTC)", &week)).unwrap();
        std::fs::write("/tmp/stats-sample-week.png", week).unwrap();
    }
}
