//! The admin `/stats` chart: codes sent and numbers verified per UTC day, as a PNG in memory.
//!
//! Pure drawing, no Telegram and no database: the caller counts the days and sends the bytes as
//! a photo. [`activity_png`] draws grouped bars (sent, verified) with [`plotters`] into an RGB
//! buffer and encodes it with the [`png`] crate.
//!
//! Text is set in DejaVu Sans, compiled into the binary (`assets/DejaVuSans-subset.ttf`: the
//! scripts a chart can show, see `assets/README.md`; licence in
//! `assets/DejaVuSans-LICENSE.txt`): the runtime image has no fonts and nothing here looks any
//! up. plotters draws the shapes and maps the coordinates; the text itself is typeset here with
//! `ab_glyph` (the rasteriser plotters' own `ab_glyph` feature uses), because plotters 0.3.7
//! places each glyph at its ink box and ignores side bearings, so that letters such as "TC"
//! touch. plotters still gets the font registered, for the empty labels its mesh draws.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// Width of the chart in pixels.
pub const WIDTH: u32 = 1000;
/// Height of the chart in pixels.
pub const HEIGHT: u32 = 500;

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");

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

/// Sends and successful verifications per day as a [`WIDTH`]×[`HEIGHT`] PNG: grouped bars, a
/// legend with the period's totals, day labels like "Nov 27" on the x axis, counts from 0 on the
/// y axis, and `title` on top.
///
/// `days` is oldest first, one entry per day (usually 30). All-zero days, and an empty slice,
/// still give a chart (with an empty plot).
pub fn activity_png(days: &[DayActivity], title: &str) -> Result<Vec<u8>, ChartError> {
    activity_png_with(days, &Labels::english(title))
}

/// The chart's words, for the reader's language.
pub struct Labels {
    pub title: String,
    /// The legend entry of the sent bars, given the period's total (digits grouped).
    pub sent: Box<dyn Fn(String) -> String + Send>,
    /// The legend entry of the verified bars, likewise.
    pub verified: Box<dyn Fn(String) -> String + Send>,
    /// An x axis label from the month (1–12) and the day of the month.
    pub day: Box<dyn Fn(u32, u32) -> String + Send>,
    /// Between groups of three digits: `,` in English (1,234), a no-break space in Russian.
    pub thousands: char,
}

impl Labels {
    /// "Codes sent: 12", "Verified: 10", "Nov 27".
    pub fn english(title: &str) -> Labels {
        Labels {
            title: title.to_owned(),
            sent: Box::new(|n| format!("Codes sent: {n}")),
            verified: Box::new(|n| format!("Verified: {n}")),
            day: Box::new(|month, day| {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                format!("{} {day}", MONTHS[month as usize - 1])
            }),
            thousands: ',',
        }
    }
}

/// [`activity_png`] with the words given.
pub fn activity_png_with(days: &[DayActivity], words: &Labels) -> Result<Vec<u8>, ChartError> {
    let font = font()?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    let labels = draw_shapes(&mut rgb, font, days, words).map_err(ChartError::Draw)?;
    for label in &labels {
        typeset(&mut rgb, font, label);
    }
    encode_png(&rgb)
}

/// The embedded font, parsed once per process (and registered with plotters).
fn font() -> Result<&'static FontRef<'static>, ChartError> {
    static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            register_font("sans-serif", FontStyle::Normal, FONT).ok()?;
            FontRef::try_from_slice(FONT).ok()
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

/// A line of text to set once plotters is done with the pixels.
#[derive(Debug, Clone, PartialEq)]
struct Label {
    text: String,
    /// The anchor point, in pixels; what it anchors depends on `align`.
    x: i32,
    y: i32,
    align: Align,
    size: f32,
    colour: RGBColor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    /// The anchor is the middle of the top of the capital letters.
    TopCentre,
    /// The anchor is the left end of the line, halfway up the capitals.
    MiddleLeft,
    /// The anchor is the right end of the line, halfway up the capitals.
    MiddleRight,
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
    let (sent_total, verified_total) = days.iter().fold((0u64, 0u64), |(s, v), d| {
        (s + u64::from(d.sent), v + u64::from(d.verified))
    });
    let legend = [
        (
            SENT,
            (words.sent)(group_thousands_u64(sent_total, words.thousands)),
        ),
        (
            VERIFIED,
            (words.verified)(group_thousands_u64(verified_total, words.thousands)),
        ),
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
            text_width(font, &group_thousands(v, words.thousands), AXIS_LABEL_SIZE).ceil() as u32
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
        let day = usize::try_from(tick / SLOT).ok().and_then(|i| days.get(i));
        labels.extend(day.map(|day| Label {
            text: day_label(day.day_start, &words.day),
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
            text: group_thousands(tick, words.thousands),
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
            text: "No codes were sent in this period".to_owned(),
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

/// The glyphs of `text` laid out from x = 0 on a baseline at y = 0, with kerning, and the width
/// of the line.
fn layout(font: &FontRef<'_>, text: &str, size: f32) -> (Vec<Glyph>, f32) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut glyphs = Vec::with_capacity(text.len());
    let mut caret = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        glyphs.push(id.with_scale_and_position(size, point(caret, 0.0)));
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    (glyphs, caret)
}

fn text_width(font: &FontRef<'_>, text: &str, size: f32) -> f32 {
    layout(font, text, size).1
}

/// Height of the capital letters above the baseline, in pixels.
fn cap_height(font: &FontRef<'_>, size: f32) -> f32 {
    let h = font
        .glyph_id('H')
        .with_scale_and_position(size, point(0.0, 0.0));
    font.outline_glyph(h)
        .map_or(size * 0.7, |outline| -outline.px_bounds().min.y)
}

/// Sets one label into the RGB buffer, blending glyph coverage over what is there.
fn typeset(rgb: &mut [u8], font: &FontRef<'_>, label: &Label) {
    let (glyphs, width) = layout(font, &label.text, label.size);
    let cap = cap_height(font, label.size);
    let (x, y) = (label.x as f32, label.y as f32);
    let (left, baseline) = match label.align {
        Align::TopCentre => (x - width / 2.0, y + cap),
        Align::MiddleLeft => (x, y + cap / 2.0),
        Align::MiddleRight => (x - width, y + cap / 2.0),
    };
    // Whole pixels for the line's origin keep stems and the baseline crisp.
    let (left, baseline) = (left.round(), baseline.round());
    for mut glyph in glyphs {
        glyph.position = point(left + glyph.position.x, baseline);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if (0..i64::from(WIDTH)).contains(&px) && (0..i64::from(HEIGHT)).contains(&py) {
                let i = (py as usize * WIDTH as usize + px as usize) * 3;
                let alpha = coverage.clamp(0.0, 1.0);
                let colour = [label.colour.0, label.colour.1, label.colour.2];
                for (channel, target) in rgb[i..i + 3].iter_mut().zip(colour) {
                    let mixed = f32::from(*channel) * (1.0 - alpha) + f32::from(target) * alpha;
                    *channel = mixed.round() as u8;
                }
            }
        });
    }
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

/// "Nov 27": month name and day of the UTC date that contains `unix_seconds`.
fn day_label(unix_seconds: i64, label: &dyn Fn(u32, u32) -> String) -> String {
    let (_, month, day) = crate::export::civil_from_days(unix_seconds.div_euclid(86_400));
    label(month, day)
}

/// 1234567 → "1,234,567".
fn group_thousands(value: u32, separator: char) -> String {
    group_thousands_u64(u64::from(value), separator)
}

fn group_thousands_u64(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
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
        let png_bytes = activity_png(&realistic(), "Last 30 days").unwrap();
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
            let (w, h, rgb) = decode(&activity_png(&days, "Nothing yet").unwrap());
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
            let (w, h, rgb) = decode(&activity_png(&days, "Busy").unwrap());
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
            let (w, h, _) = decode(&activity_png(days, "Edge").unwrap());
            assert_eq!((w, h), (WIDTH, HEIGHT));
        }
    }

    #[test]
    fn the_embedded_font_draws_the_title() {
        let days = realistic();
        let a = decode(&activity_png(&days, "Verifications").unwrap()).2;
        let b = decode(&activity_png(&days, "Something else entirely").unwrap()).2;
        let untitled = decode(&activity_png(&days, "").unwrap()).2;
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

    /// plotters' own text drawing drops each glyph's left side bearing, which halves the gap
    /// between "l" and "l"; ours keeps it (DejaVu Sans: about 0.19 em, 4 px at this size).
    #[test]
    fn typeset_letters_keep_their_side_bearings() {
        let font = font().unwrap();
        let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
        let label = Label {
            text: "ll".to_owned(),
            x: 100,
            y: 100,
            align: Align::MiddleLeft,
            size: TITLE_SIZE,
            colour: BLACK,
        };
        typeset(&mut rgb, font, &label);
        let inked = |x: u32| (0..HEIGHT).any(|y| rgb[((y * WIDTH + x) * 3) as usize] < 0x80);
        let columns: Vec<bool> = (90..130).map(inked).collect();
        let first = columns.iter().position(|&c| c).expect("drawn");
        let last = columns.iter().rposition(|&c| c).expect("drawn");
        let gap = columns[first..=last].iter().filter(|&&c| !c).count();
        assert!((3..=5).contains(&gap), "gap of {gap} px: {columns:?}");
        assert!(
            (101..=104).contains(&(first + 90)),
            "the left bearing is kept: {first}"
        );
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

    #[test]
    fn labels_read_well() {
        let english = Labels::english("");
        assert_eq!(day_label(START, &english.day), "Oct 29");
        assert_eq!(day_label(START + 29 * DAY + 3600, &english.day), "Nov 27");
        assert_eq!(group_thousands(0, ','), "0");
        assert_eq!(group_thousands(999, ','), "999");
        assert_eq!(group_thousands(1000, ','), "1,000");
        assert_eq!(group_thousands(u32::MAX, ','), "4,294,967,295");
        assert_eq!(group_thousands(1234, '\u{a0}'), "1\u{a0}234");
    }

    /// Writes a sample to /tmp/stats-sample.png for a human to look at:
    /// `cargo test --lib chart::tests::write_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let png_bytes = activity_png(&realistic(), "Verifications, last 30 days (UTC)").unwrap();
        std::fs::write("/tmp/stats-sample.png", png_bytes).unwrap();
        let zeros = activity_png(&month(|_| (0, 0)), "Verifications, last 30 days (UTC)").unwrap();
        std::fs::write("/tmp/stats-sample-zero.png", zeros).unwrap();
        let big = month(|i| (i as u32 * 40_000, i as u32 * 31_000));
        let big = activity_png(&big, "Verifications, last 30 days (UTC)").unwrap();
        std::fs::write("/tmp/stats-sample-big.png", big).unwrap();
        let week: Vec<_> = realistic().into_iter().skip(23).collect();
        let week = activity_png(&week, "Verifications, last 7 days (UTC)").unwrap();
        std::fs::write("/tmp/stats-sample-week.png", week).unwrap();
    }
}
