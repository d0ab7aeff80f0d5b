//! Turning an upload into a clean image: decoded by content, turned upright, at most 1600 px on
//! its long side, re-encoded as JPEG (which leaves EXIF, GPS included, behind), plus a thumbnail.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::AppError;

pub const MAX_SIDE: u32 = 1600;
/// Largest picture decoded: the phone sends at most 1600 px on the long side, and no phone
/// camera or screen reaches this. Declared sizes are checked before any pixel is decoded.
pub const MAX_MEGAPIXELS: u64 = 24;
/// Memory one decode may take, the decoded picture included (24 MP of RGBA is 96 MB).
const MAX_DECODE_BYTES: u64 = 100 * 1024 * 1024;
pub const THUMB_SIDE: u32 = 320;
const QUALITY: u8 = 85;
const THUMB_QUALITY: u8 = 75;

pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What can be told from the header alone: the format, an incomplete JPEG, a picture past the
/// pixel limit. Cheap, so uploads check it before waiting for a decode turn: a burst of
/// decompression bombs is refused at once instead of filling the queue.
pub fn check(bytes: &[u8]) -> Result<(), AppError> {
    decoder_for(bytes).map(drop)
}

/// A decoder for `bytes` with the limits set, once the header has passed [`check`]'s rules.
fn decoder_for(bytes: &[u8]) -> Result<impl ImageDecoder + '_, AppError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| AppError::NotAnImage)?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => {}
        Some(other) => {
            return Err(AppError::UnsupportedImage {
                format: format!("{other:?}").to_uppercase(),
            })
        }
        None if is_heif(bytes) => {
            return Err(AppError::UnsupportedImage {
                format: "HEIC".into(),
            })
        }
        None => return Err(AppError::NotAnImage),
    }
    // A JPEG cut short still decodes (the rest comes out grey): without its end marker it is
    // refused as incomplete. Anything may follow the marker; re-encoding drops it.
    if reader.format() == Some(ImageFormat::Jpeg) && !bytes.windows(2).any(|w| w == [0xFF, 0xD9]) {
        return Err(AppError::BrokenImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_000);
    limits.max_image_height = Some(16_000);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);

    // From here the format is known: what fails to decode is a damaged picture.
    let decoder = reader.into_decoder().map_err(|error| match error {
        image::ImageError::Limits(_) => too_large(),
        _ => AppError::BrokenImage,
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_MEGAPIXELS * 1_000_000 {
        return Err(too_large());
    }
    Ok(decoder)
}

fn too_large() -> AppError {
    AppError::ImageTooLarge {
        max_megapixels: MAX_MEGAPIXELS as u32,
    }
}

/// CPU-bound: call from a blocking task.
pub fn process(bytes: &[u8]) -> Result<Processed, AppError> {
    let mut decoder = decoder_for(bytes)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => too_large(),
        _ => AppError::BrokenImage,
    })?;
    decoded.apply_orientation(orientation);

    // Area averaging: as good as a filter for shrinking, without a float copy of the picture.
    let full = if decoded.width().max(decoded.height()) > MAX_SIDE {
        decoded.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        decoded
    };
    let thumb = full.thumbnail(THUMB_SIDE, THUMB_SIDE);
    Ok(Processed {
        width: full.width(),
        height: full.height(),
        full: encode_jpeg(&full, QUALITY)?,
        thumb: encode_jpeg(&thumb, THUMB_QUALITY)?,
    })
}

/// HEIC/HEIF photos (iPhone default) are ISO media files whose brand says so.
fn is_heif(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp")
        && matches!(
            bytes.get(8..12),
            Some(b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1")
        )
}

/// JPEG has no transparency: transparent pixels (screenshots with alpha) become white.
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&flatten(image))
        .map_err(|err| {
            tracing::error!(error = %err, "jpeg encoding failed");
            AppError::Internal
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 200])
        }));
        let mut out = Cursor::new(Vec::new());
        image
            .write_to(&mut out, ImageFormat::Png)
            .unwrap_or_default();
        out.into_inner()
    }

    #[test]
    fn large_images_are_shrunk_to_the_long_side() {
        let processed = process(&png(2400, 1200)).expect("a png is accepted");
        assert_eq!((processed.width, processed.height), (1600, 800));
        let thumb = image::load_from_memory(&processed.thumb).expect("thumbnail decodes");
        assert_eq!(thumb.width(), THUMB_SIDE);
        assert_eq!(&processed.full[..2], &[0xFF, 0xD8], "stored as JPEG");
    }

    #[test]
    fn small_images_keep_their_size() {
        let processed = process(&png(300, 200)).expect("a png is accepted");
        assert_eq!((processed.width, processed.height), (300, 200));
    }

    #[test]
    fn text_named_like_an_image_is_refused() {
        let err = process(b"this is not a picture at all").err();
        assert_eq!(err, Some(AppError::NotAnImage));
    }

    #[test]
    fn heic_is_named_as_unsupported() {
        let mut bytes = vec![0, 0, 0, 24];
        bytes.extend_from_slice(b"ftypheic");
        bytes.extend_from_slice(&[0; 32]);
        assert_eq!(
            process(&bytes).err(),
            Some(AppError::UnsupportedImage {
                format: "HEIC".into()
            })
        );
    }

    #[test]
    fn a_picture_past_the_pixel_limit_is_refused_before_decoding() {
        // 5000 x 5000 in a hundred-odd kilobytes of zeros: a decompression bomb.
        let bomb = {
            let image = DynamicImage::ImageLuma8(image::GrayImage::new(5000, 5000));
            let mut out = Cursor::new(Vec::new());
            image
                .write_to(&mut out, ImageFormat::Png)
                .unwrap_or_default();
            out.into_inner()
        };
        assert!(bomb.len() < 200_000, "{}", bomb.len());
        assert_eq!(
            process(&bomb).err(),
            Some(AppError::ImageTooLarge { max_megapixels: 24 })
        );
    }

    #[test]
    fn a_truncated_jpeg_is_refused() {
        let processed = process(&png(64, 64)).expect("a png is accepted");
        let truncated = &processed.full[..processed.full.len() / 3];
        assert_eq!(process(truncated).err(), Some(AppError::BrokenImage));
    }
}
