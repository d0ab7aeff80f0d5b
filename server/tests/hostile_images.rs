//! A corpus of hostile and broken files sent to the upload endpoint: truncated files, wrong
//! magic, decompression bombs in each accepted format, huge declared sizes, 16-bit and CMYK
//! pictures, an animated WebP, polyglots, SVG, zero bytes. Each is stored as a clean JPEG or
//! refused with a 4xx and a sentence in the user's language; the server keeps serving; and the
//! process's peak resident memory stays under `PEAK_RSS_CAP_MIB`. A test binary of its own, so
//! the peak is this corpus's and no other test's.

#[path = "desk/support.rs"]
#[allow(dead_code)]
mod support;

use std::io::{Cursor, Write as _};

use axum::http::{Method, StatusCode};
use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};
use sqlx::PgPool;
use uuid::Uuid;

use app::auth::Role;
use support::{body, Desk};

/// What answering the corpus may make the test process (server, database pool, test harness,
/// the corpus itself: about 90 MiB before the first upload) hold at its peak. One decode may
/// allocate 100 MB (`attachments::image`).
const PEAK_RSS_CAP_MIB: u64 = 256;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Accepted: stored as a JPEG at most 1600 px on its long side.
    Stored,
    /// Refused with this status and a sentence in Chinese.
    Refused(StatusCode),
}

struct Sample {
    name: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
}

/// Not a picture at all (checked by content, whatever its name or declared type).
const NOT_IMAGE: StatusCode = StatusCode::UNSUPPORTED_MEDIA_TYPE;
/// A picture of a readable format, cut short or damaged.
const BROKEN: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const TOO_LARGE: StatusCode = StatusCode::PAYLOAD_TOO_LARGE;
const UNSUPPORTED: StatusCode = StatusCode::UNSUPPORTED_MEDIA_TYPE;

fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 7 * 30) as u8])
    }))
}

fn cut(mut bytes: Vec<u8>, fraction: f64) -> Vec<u8> {
    bytes.truncate((bytes.len() as f64 * fraction) as usize);
    bytes
}

fn then(mut first: Vec<u8>, second: &[u8]) -> Vec<u8> {
    first.extend_from_slice(second);
    first
}

/// A PNG chunk with its length and checksum.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len())
        .expect("chunk")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("deflate");
    encoder.finish().expect("deflate")
}

/// A PNG that declares `width` x `height` grey pixels, with `idat` as its data.
fn png_declaring(width: u32, height: u32, idat: &[u8]) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &header));
    out.extend(png_chunk(b"IDAT", idat));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A baseline JPEG header declaring `width` x `height`, and no picture.
fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08];
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[
        0x01, 0x01, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00,
    ]);
    out.extend_from_slice(&[0x00, 0x3F, 0x00]);
    out.extend(std::iter::repeat_n(0u8, 256));
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&u32::try_from(data.len()).expect("chunk").to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

fn webp(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len() + 4).expect("riff").to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend(body);
    out
}

fn u24(value: u32) -> [u8; 3] {
    let [a, b, c, _] = value.to_le_bytes();
    [a, b, c]
}

/// The VP8L chunk (header included) of a lossless WebP of `image`.
fn vp8l_chunk(image: DynamicImage) -> Vec<u8> {
    let file = encoded(image, ImageFormat::WebP);
    let mut at = 12;
    while at + 8 <= file.len() {
        let size = u32::from_le_bytes(file[at + 4..at + 8].try_into().expect("size")) as usize;
        if &file[at..at + 4] == b"VP8L" {
            return file[at..at + 8 + size + size % 2].to_vec();
        }
        at += 8 + size + size % 2;
    }
    panic!("no VP8L chunk in the encoder's output");
}

fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&u24(width - 1));
    data.extend_from_slice(&u24(height - 1));
    riff_chunk(b"VP8X", &data)
}

/// Two frames, 32 x 32, each a lossless picture: an animation.
fn animated_webp() -> Vec<u8> {
    let frame = |shade: u8| {
        let mut data = Vec::new();
        data.extend_from_slice(&u24(0));
        data.extend_from_slice(&u24(0));
        data.extend_from_slice(&u24(31));
        data.extend_from_slice(&u24(31));
        data.extend_from_slice(&u24(100));
        data.push(0);
        let picture = RgbImage::from_pixel(32, 32, image::Rgb([shade, 40, 90]));
        data.extend(vp8l_chunk(DynamicImage::ImageRgb8(picture)));
        riff_chunk(b"ANMF", &data)
    };
    webp(&[
        vp8x(0x02, 32, 32),
        riff_chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]),
        frame(10),
        frame(200),
    ])
}

/// A CMYK JPEG, as print workflows and some scanners write them.
fn cmyk_jpeg() -> Vec<u8> {
    let (width, height) = (120u16, 80u16);
    let pixels: Vec<u8> = (0..u32::from(width) * u32::from(height))
        .flat_map(|i| [(i % 200) as u8, 30, 60, 10])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Cmyk)
        .expect("cmyk jpeg");
    out
}

fn exif_gps_jpeg() -> Vec<u8> {
    let plain = encoded(photo(400, 300), ImageFormat::Jpeg);
    let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0GPSLatitude 31.2304N";
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&u16::try_from(exif.len() + 2).expect("short").to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Two 1 x 1 frames: an animated GIF.
fn animated_gif() -> Vec<u8> {
    let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
    out.extend_from_slice(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00");
    for _ in 0..2 {
        out.extend_from_slice(b"!\xf9\x04\x00\x0a\x00\x00\x00");
        out.extend_from_slice(b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00");
    }
    out.push(b';');
    out
}

/// Noise from a fixed seed.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

const POLYGLOT_TAIL: &[u8] = b"PK\x03\x04<html><script>alert(document.cookie)</script>";

fn corpus() -> Vec<Sample> {
    use Expect::*;
    let small_png = encoded(photo(300, 200), ImageFormat::Png);
    let small_jpeg = encoded(photo(640, 480), ImageFormat::Jpeg);
    let small_webp = encoded(photo(300, 200), ImageFormat::WebP);
    let zeros_25mp = DynamicImage::ImageLuma8(GrayImage::new(5000, 5000));
    let sample = |name, bytes, expect| Sample {
        name,
        bytes,
        expect,
    };
    vec![
        sample("zero bytes", Vec::new(), Refused(NOT_IMAGE)),
        sample("one byte", vec![0xFF], Refused(NOT_IMAGE)),
        sample("text named .jpg", b"quarterly numbers, not a photo".to_vec(), Refused(NOT_IMAGE)),
        sample("random megabyte", noise(1 << 20), Refused(NOT_IMAGE)),
        sample("PNG magic only", b"\x89PNG\r\n\x1a\n".to_vec(), Refused(BROKEN)),
        sample("PNG cut in its header", cut(small_png.clone(), 0.05), Refused(BROKEN)),
        sample("PNG cut in its data", cut(small_png.clone(), 0.6), Refused(BROKEN)),
        sample("PNG bomb, 25 MP of zeros", encoded(zeros_25mp.clone(), ImageFormat::Png), Refused(TOO_LARGE)),
        sample("PNG declaring 100000 x 100000", png_declaring(100_000, 100_000, &zlib(&[0; 64])), Refused(TOO_LARGE)),
        sample("PNG declaring 0 x 0", png_declaring(0, 0, &zlib(&[0; 8])), Refused(BROKEN)),
        sample("PNG 20000 px wide", encoded(DynamicImage::ImageLuma8(GrayImage::new(20_000, 2)), ImageFormat::Png), Refused(TOO_LARGE)),
        sample("PNG 15000 x 2 strip", encoded(DynamicImage::ImageLuma8(GrayImage::new(15_000, 2)), ImageFormat::Png), Stored),
        sample("PNG 4800 x 4800 zeros (23 MP)", encoded(DynamicImage::ImageLuma8(GrayImage::new(4800, 4800)), ImageFormat::Png), Stored),
        sample("PNG 16-bit RGB", encoded(DynamicImage::ImageRgb16(photo(200, 150).to_rgb16()), ImageFormat::Png), Stored),
        sample("PNG 16-bit grey with alpha", encoded(DynamicImage::ImageLumaA16(photo(200, 150).to_luma_alpha16()), ImageFormat::Png), Stored),
        sample("PNG with alpha", encoded(DynamicImage::ImageRgba8(photo(200, 150).to_rgba8()), ImageFormat::Png), Stored),
        sample("PNG 1 x 1", encoded(photo(1, 1), ImageFormat::Png), Stored),
        sample("PNG with a 64 MB zTXt bomb", {
            let mut text = b"Comment\0\0".to_vec();
            text.extend(zlib(&vec![b'a'; 64 << 20]));
            let mut bytes = small_png[..33].to_vec();
            bytes.extend(png_chunk(b"zTXt", &text));
            bytes.extend_from_slice(&small_png[33..]);
            bytes
        }, Stored),
        sample("PNG with a broken checksum", {
            let mut bytes = small_png.clone();
            bytes[29] ^= 0xFF;
            bytes
        }, Refused(BROKEN)),
        sample("JPEG start marker only", vec![0xFF, 0xD8], Refused(NOT_IMAGE)),
        sample("JPEG cut in its data", cut(small_jpeg.clone(), 0.4), Refused(BROKEN)),
        sample("JPEG declaring 30000 x 30000", jpeg_declaring(30_000, 30_000), Refused(TOO_LARGE)),
        sample("JPEG bomb, 25 MP of zeros", encoded(zeros_25mp.clone(), ImageFormat::Jpeg), Refused(TOO_LARGE)),
        sample("JPEG in CMYK", cmyk_jpeg(), Stored),
        sample("JPEG with EXIF GPS", exif_gps_jpeg(), Stored),
        sample("JPEG + ZIP + HTML polyglot", then(small_jpeg.clone(), POLYGLOT_TAIL), Stored),
        sample("HTML + JPEG polyglot", then(b"<html><script>alert(1)</script>".to_vec(), &small_jpeg), Refused(NOT_IMAGE)),
        sample("WebP RIFF header only", b"RIFF\x04\x00\x00\x00WEBP".to_vec(), Refused(BROKEN)),
        sample("WebP cut in its data", cut(small_webp.clone(), 0.5), Refused(BROKEN)),
        sample("WebP declaring 16384 x 16384", webp(&[vp8x(0, 16_384, 16_384), riff_chunk(b"VP8L", &[0x2F, 0, 0, 0, 0])]), Refused(TOO_LARGE)),
        sample("WebP bomb, 25 MP of zeros", encoded(zeros_25mp, ImageFormat::WebP), Refused(TOO_LARGE)),
        // The first frame, as the phone's canvas would draw it.
        sample("WebP animated", animated_webp(), Stored),
        sample("WebP lossless", small_webp, Stored),
        sample("GIF animated", animated_gif(), Refused(UNSUPPORTED)),
        sample("GIF declaring 65535 x 65535", b"GIF89a\xff\xff\xff\xff\x00\x00\x00;".to_vec(), Refused(UNSUPPORTED)),
        sample("GIF + JavaScript polyglot", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);".to_vec(), Refused(UNSUPPORTED)),
        sample("BMP declaring 30000 x 30000", {
            let mut bytes = b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00".to_vec();
            bytes.extend_from_slice(&30_000u32.to_le_bytes());
            bytes.extend_from_slice(&30_000u32.to_le_bytes());
            bytes.extend_from_slice(&[1, 0, 24, 0, 0, 0, 0, 0]);
            bytes.extend([0; 20]);
            bytes
        }, Refused(UNSUPPORTED)),
        sample("TIFF", b"II*\x00\x08\x00\x00\x00\x00\x00".to_vec(), Refused(UNSUPPORTED)),
        sample("ICO", b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00".to_vec(), Refused(UNSUPPORTED)),
        sample("SVG with a script", br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(), Refused(NOT_IMAGE)),
        sample("SVG with an XML declaration", br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#.to_vec(), Refused(NOT_IMAGE)),
        sample("PDF", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec(), Refused(NOT_IMAGE)),
        sample("HEIC", then(b"\x00\x00\x00\x18ftypheic".to_vec(), &[0; 32]), Refused(UNSUPPORTED)),
        sample("AVIF", then(b"\x00\x00\x00\x1cftypavif".to_vec(), &[0; 32]), Refused(UNSUPPORTED)),
        sample("Windows program", then(b"MZ\x90\x00".to_vec(), &noise(4096)), Refused(NOT_IMAGE)),
        sample("past the upload size", then(small_jpeg, &vec![0; 11 << 20]), Refused(TOO_LARGE)),
    ]
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_hostile_file_is_stored_clean_or_refused_clearly_within_memory(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let corpus = corpus();
    assert!(corpus.len() >= 40, "{} files", corpus.len());
    // Making the corpus took memory of its own (a 64 MB text for one bomb): start the peak
    // afresh, so it measures what answering the uploads takes.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    let before = peak_rss_kib();

    let mut wrong = Vec::new();
    for sample in &corpus {
        let reply = desk.upload(&reporter, Uuid::new_v4(), &sample.bytes).await;
        let message = body(&reply)["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let outcome = if reply.status == StatusCode::CREATED {
            Expect::Stored
        } else {
            Expect::Refused(reply.status)
        };
        println!(
            "{:<36} {:>9} bytes  {} {}",
            sample.name,
            sample.bytes.len(),
            reply.status.as_u16(),
            message
        );
        if outcome != sample.expect {
            wrong.push(format!("{}: {} {}", sample.name, reply.status, reply.body));
            continue;
        }
        match outcome {
            Expect::Refused(_) if !has_chinese(&message) => {
                wrong.push(format!(
                    "{}: no sentence in Chinese: {}",
                    sample.name, reply.body
                ));
            }
            Expect::Stored => {
                let id = body(&reply)["id"].as_str().unwrap_or_default().to_owned();
                let stored = desk.get(&format!("/api/attachments/{id}"), &reporter).await;
                let bytes = &stored.bytes[..];
                let picture = image::load_from_memory(bytes).expect("the stored file decodes");
                if picture.width().max(picture.height()) > 1600
                    || contains(bytes, b"PK\x03\x04")
                    || contains(bytes, b"<script")
                    || contains(bytes, b"GPS")
                {
                    wrong.push(format!("{}: the stored file is not clean", sample.name));
                }
            }
            Expect::Refused(_) => {}
        }
        let health = desk
            .send(Method::GET, "/healthz", None, None, Vec::new())
            .await;
        assert_eq!(
            health.status,
            StatusCode::OK,
            "the server stopped serving after {}",
            sample.name
        );
    }

    let peak = peak_rss_kib();
    println!(
        "hostile image corpus: {} files; peak RSS of the test process {} MiB (when the uploads began {} MiB; cap {PEAK_RSS_CAP_MIB} MiB)",
        corpus.len(),
        peak / 1024,
        before / 1024
    );
    assert!(
        wrong.is_empty(),
        "answers not as expected:\n{}",
        wrong.join("\n")
    );
    assert!(
        peak / 1024 < PEAK_RSS_CAP_MIB,
        "peak RSS {} MiB",
        peak / 1024
    );
}
