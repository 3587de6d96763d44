//! The policy reader: any text, every policy type; never a panic, spans inside the text.
#![no_main]
use iamplay::policy::parse_policy_text;
use iamplay::trace::PolicyType;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for policy_type in [PolicyType::Identity, PolicyType::Resource, PolicyType::PermissionsBoundary, PolicyType::Session, PolicyType::Scp, PolicyType::Rcp] {
        let (_, diagnostics) = parse_policy_text(text, "fuzz", policy_type);
        common::check_spans(text, &diagnostics);
    }
});
