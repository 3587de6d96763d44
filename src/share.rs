//! Share links: a whole scenario in the URL fragment, compressed and URL-safe, so that it
//! never reaches a server.
//!
//! A link's fragment is `#s=VERSION.PAYLOAD`. Version 1: PAYLOAD is the scenario text in
//! UTF-8, compressed with raw DEFLATE and written in unpadded URL-safe base64
//! (RFC 4648 section 5). The version comes first so that a later format can be told apart
//! and refused with a clear message instead of being misread.

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// The version this build writes, and the highest it reads.
pub const VERSION: u32 = 1;

/// The largest scenario a link may unpack to; a link that inflates beyond it is refused
/// (a compression bomb must not exhaust the page's memory).
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;

/// The longest payload accepted, before decoding.
pub const MAX_LINK_CHARS: usize = 2 * 1024 * 1024;

/// Why a link could not be opened: a message and a help line, both for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub message: String,
    pub help: String,
}

fn error(message: impl Into<String>, help: impl Into<String>) -> LinkError {
    LinkError { message: message.into(), help: help.into() }
}

/// The fragment (`s=1.…`, without `#`) that carries `scenario_text`.
pub fn encode(scenario_text: &str) -> String {
    fragment_from_deflated(&compress_to_vec(scenario_text.as_bytes(), 9))
}

/// The fragment for a scenario text already compressed with raw DEFLATE (the page uses the
/// browser's `CompressionStream`, which keeps a compressor out of its wasm).
pub fn fragment_from_deflated(deflated: &[u8]) -> String {
    format!("s={VERSION}.{}", base64url_encode(deflated))
}

/// Reads the scenario text out of a link: a whole URL, a fragment with or without `#`,
/// or `s=…` alone.
pub fn decode(link: &str) -> Result<String, LinkError> {
    let compressed = unwrap(link)?;
    let bytes = decompress_to_vec_with_limit(&compressed, MAX_SCENARIO_BYTES).map_err(|e| {
        if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            too_large()
        } else {
            damaged()
        }
    })?;
    text_of(bytes)
}

/// The first half of [`decode`]: the link's compressed bytes, after the version, length and
/// alphabet checks. The page inflates them with the browser's `DecompressionStream`, under
/// the same [`MAX_SCENARIO_BYTES`], and finishes with [`text_of`]: its wasm then carries no
/// decompressor.
pub fn unwrap(link: &str) -> Result<Vec<u8>, LinkError> {
    let link = link.trim();
    let fragment = match link.find('#') {
        Some(at) => &link[at + 1..],
        None => link,
    };
    let Some(value) = fragment.split('&').find_map(|part| part.strip_prefix("s=")) else {
        return Err(error("this link holds no scenario", "a share link ends in `#s=1.` followed by the scenario"));
    };
    let Some((version, payload)) = value.split_once('.') else {
        return Err(error("the link is cut short: its version is missing", "copy the whole link again"));
    };
    match version.parse::<u32>() {
        Ok(VERSION) => {}
        Ok(v) if v > VERSION => {
            return Err(error(
                format!("the link was made by a newer iamplay (link format {v}; this one reads up to {VERSION})"),
                "open it with a newer iamplay",
            ))
        }
        _ => return Err(error(format!("`{version}` is not a link format version"), "copy the whole link again")),
    }
    if payload.len() > MAX_LINK_CHARS {
        return Err(error(format!("the link is too long ({} characters; at most {MAX_LINK_CHARS})", payload.len()), "share the scenario as a file instead"));
    }
    if !payload.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'=')) {
        return Err(error("the link is damaged: it holds characters a share link never has", "copy the whole link again"));
    }
    base64url_decode(payload).ok_or_else(|| error("the link is damaged or cut short: it does not unpack", "copy the whole link again"))
}

/// The unpacked bytes as the scenario text.
pub fn text_of(bytes: Vec<u8>) -> Result<String, LinkError> {
    String::from_utf8(bytes).map_err(|_| error("the link is damaged: it does not unpack to text", "copy the whole link again"))
}

/// The link unpacks to more than [`MAX_SCENARIO_BYTES`].
pub fn too_large() -> LinkError {
    error(format!("the link unpacks to more than {} MB", MAX_SCENARIO_BYTES / (1024 * 1024)), "share a scenario this large as a file instead")
}

/// The compressed stream is not valid DEFLATE, or ends early.
pub fn damaged() -> LinkError {
    error("the link is damaged or cut short: it does not unpack", "copy the whole link again")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn any_raw_deflate_stream_opens() {
        // Other compressors (the browser's) choose other blocks: any valid stream opens.
        let text = "{\"scenario\": 1, \"name\": \"é ☃\"}".repeat(50);
        for level in [0, 1, 6, 10] {
            let link = fragment_from_deflated(&compress_to_vec(text.as_bytes(), level));
            assert_eq!(decode(&link).unwrap(), text, "level {level}");
        }
    }

    #[test]
    fn round_trip_keeps_the_text_exactly() {
        let text = "{\n  \"scenario\": 1,\n  \"name\": \"é ünïcode ✓\"\n}\n";
        let link = format!("https://example.test/#{}", encode(text));
        assert_eq!(decode(&link).unwrap(), text);
        assert_eq!(decode(&encode(text)).unwrap(), text);
        assert_eq!(decode(&format!("#{}", encode(text))).unwrap(), text);
    }

    #[test]
    fn links_are_url_safe() {
        let link = encode(&"x".repeat(1000));
        assert!(link[2..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'), "{link}");
    }

    fn message(link: &str) -> String {
        decode(link).unwrap_err().message
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode("{\"scenario\": 1}");
        assert_eq!(message("https://example.test/"), "this link holds no scenario");
        assert_eq!(message("#s=1"), "the link is cut short: its version is missing");
        assert_eq!(message("#s=2.AAAA"), "the link was made by a newer iamplay (link format 2; this one reads up to 1)");
        assert_eq!(message("#s=x.AAAA"), "`x` is not a link format version");
        assert_eq!(message("#s=1.@@@@"), "the link is damaged: it holds characters a share link never has");
        for cut in 1..8 {
            assert_eq!(message(&good[..good.len() - cut]), "the link is damaged or cut short: it does not unpack", "cut {cut}");
        }
    }

    #[test]
    fn a_compression_bomb_is_refused() {
        let bomb = base64url_encode(&compress_to_vec(&vec![b'a'; 64 * 1024 * 1024], 9));
        assert!(bomb.len() < 200_000);
        assert_eq!(message(&format!("#s=1.{bomb}")), "the link unpacks to more than 4 MB");
    }

    #[test]
    fn a_link_that_unpacks_to_a_gigabyte_is_refused_at_the_limit() {
        use miniz_oxide::deflate::core::{compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus};
        // A megabyte of spaces compressed and flushed to a byte boundary is a self-contained
        // run of blocks: repeated 1,024 times and closed by an empty final block, a stream
        // that inflates to a gigabyte.
        let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(9, -15, 0));
        let mut megabyte = vec![0; 64 * 1024];
        let (status, read, written) = compress(&mut compressor, &vec![b' '; 1 << 20], &mut megabyte, TDEFLFlush::Sync);
        assert_eq!((status, read), (TDEFLStatus::Okay, 1 << 20));
        megabyte.truncate(written);
        let mut stream = megabyte.repeat(1024);
        stream.extend_from_slice(&[0x03, 0x00]);
        assert_eq!(miniz_oxide::inflate::decompress_to_vec(&[&megabyte[..], &megabyte[..], &[0x03, 0x00]].concat()).unwrap().len(), 2 << 20);
        let bomb = base64url_encode(&stream);
        assert!(bomb.len() < MAX_LINK_CHARS, "{}", bomb.len());
        assert_eq!(message(&format!("#s=1.{bomb}")), "the link unpacks to more than 4 MB");
    }

    proptest! {
        #[test]
        fn any_text_round_trips(text in "\\PC{0,300}") {
            prop_assert_eq!(decode(&encode(&text)).unwrap(), text);
        }

        #[test]
        fn base64_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn no_link_panics(link in "\\PC{0,200}") {
            let _ = decode(&link);
        }
    }
}
