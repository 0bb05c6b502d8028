//! Reads a QR picture back, as a phone camera would: the `/qr` PNG must hold the link.

/// The text of every QR code in a PNG.
pub fn decode(png_bytes: &[u8]) -> Vec<String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let grey = |x: usize, y: usize| buf[(y * w + x) * channels];
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, grey);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("a readable code").1)
        .collect()
}
