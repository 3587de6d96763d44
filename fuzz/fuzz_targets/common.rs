// Shared checks: every diagnostic points inside the text it was reported for.
use iamplay::diagnostic::Diagnostic;

pub fn check_spans(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "span {:?} outside a text of {} bytes: {}", d.span, text.len(), d.message);
    }
}
