//! Setting the chart's text. plotters draws the shapes and maps the coordinates; the text is
//! set here with `ab_glyph` (the rasteriser plotters' own `ab_glyph` feature uses), because
//! plotters 0.3.7 places each glyph at its ink box and ignores side bearings, so that letters
//! such as "TC" touch. plotters still gets the font registered, for the empty labels its mesh
//! draws.
//!
//! The face is DejaVu Sans, compiled into the binary (`assets/DejaVuSans-subset.ttf`: the
//! scripts a chart can show, see `assets/README.md`; licence in
//! `assets/DejaVuSans-LICENSE.txt`): the runtime image has no fonts and nothing here looks any
//! up.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters::style::{FontStyle, RGBColor, register_font};

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");

/// The embedded font, parsed once per process (and registered with plotters).
/// `None` if the embedded font does not parse (a broken build).
pub(super) fn font() -> Option<&'static FontRef<'static>> {
    static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            register_font("sans-serif", FontStyle::Normal, FONT).ok()?;
            FontRef::try_from_slice(FONT).ok()
        })
        .as_ref()
}

/// A line of text to set once plotters is done with the pixels.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Label {
    pub(super) text: String,
    /// The anchor point, in pixels; what it anchors depends on `align`.
    pub(super) x: i32,
    pub(super) y: i32,
    pub(super) align: Align,
    pub(super) size: f32,
    pub(super) colour: RGBColor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    /// The anchor is the middle of the top of the capital letters.
    TopCentre,
    /// The anchor is the left end of the line, halfway up the capitals.
    MiddleLeft,
    /// The anchor is the right end of the line, halfway up the capitals.
    MiddleRight,
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

pub(super) fn text_width(font: &FontRef<'_>, text: &str, size: f32) -> f32 {
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
/// `rgb` is a canvas `canvas_width` pixels wide, three bytes a pixel; ink outside it is dropped.
pub(super) fn typeset(rgb: &mut [u8], canvas_width: u32, font: &FontRef<'_>, label: &Label) {
    let canvas_height = (rgb.len() / 3 / canvas_width as usize) as i64;
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
            if (0..i64::from(canvas_width)).contains(&px) && (0..canvas_height).contains(&py) {
                let i = (py as usize * canvas_width as usize + px as usize) * 3;
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

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::BLACK;

    const WIDTH: u32 = 1000;
    const HEIGHT: u32 = 500;

    const TITLE_SIZE: f32 = 26.0;

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
        typeset(&mut rgb, WIDTH, font, &label);
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
}
