//! The share-link decoder: any link is refused with a message or unpacks to text that
//! encodes back to a link with the same content.
#![no_main]
use iamplay::share::{decode, encode, MAX_SCENARIO_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(link) = std::str::from_utf8(data) else { return };
    if let Ok(text) = decode(link) {
        assert!(text.len() <= MAX_SCENARIO_BYTES);
        assert_eq!(decode(&encode(&text)).unwrap(), text);
    }
});
