//! QR pictures: the `/qr` link drawn as a PNG a phone camera reads from a screen or a print.
//!
//! `qrcode` lays out the modules; `png` (already here for the chart) encodes them as a
//! one-bit greyscale picture with the quiet zone the standard asks for.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module: a 33-module link is about 400 px wide, sharp on any phone screen.
const SCALE: usize = 10;
/// White modules around the code (the standard's quiet zone).
const QUIET: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text does not fit a QR code: {0}")]
    TooLong(#[from] qrcode::types::QrError),
    #[error("cannot encode the QR picture: {0}")]
    Encode(#[from] png::EncodingError),
}

/// `text` as a black-on-white QR code in a PNG (error correction M: survives a smudged screen).
pub fn png(text: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    // One bit per pixel, rows padded to whole bytes; 1 is white.
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xFFu8; row_bytes * side];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] != Color::Dark {
                continue;
            }
            for py in (y + QUIET) * SCALE..(y + QUIET + 1) * SCALE {
                for px in (x + QUIET) * SCALE..(x + QUIET + 1) * SCALE {
                    pixels[py * row_bytes + px / 8] &= !(0x80 >> (px % 8));
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

/// Reads a QR PNG back: the text of every code found in it. For tests, here and end to end.
#[cfg(test)]
pub fn decode(png_bytes: &[u8]) -> Vec<String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("a readable code").1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_reads_back_as_the_link() {
        let link = "https://t.me/verify_test_bot?start=c_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        let picture = png(link).unwrap();
        assert_eq!(&picture[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(decode(&picture), [link]);
        // Small enough to send at once, big enough to scan.
        assert!(picture.len() < 8_000, "{} bytes", picture.len());
    }

    #[test]
    fn a_text_too_long_for_any_code_is_an_error() {
        assert!(matches!(png(&"x".repeat(4000)), Err(QrError::TooLong(_))));
    }
}
