//! Diagnostics: a message, an optional help line and a span into the user's text.

use serde::Serialize;

/// A byte range `start..end` in the text a diagnostic or trace entry refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// Moves a span found in an embedded text to the text that holds it.
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about the user's input. Messages are lowercase, without a final period,
/// with user input in backticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, span, message: message.into(), help: None }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, span, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A 1-based line and column (in characters) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// Converts a byte offset into a 1-based line and character column.
/// Offsets past the end or inside a character are clamped to a valid position.
pub fn line_column(text: &str, offset: usize) -> LineColumn {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    LineColumn { line, column }
}

/// The start of every line of a text, so that many offsets can be converted without
/// scanning the text each time.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// The last conversion (offset, column): diagnostics come roughly in text order, so
    /// counting the characters of a long line from there keeps the work linear.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts, last: std::cell::Cell::new((0, 1)) }
    }

    /// The same answer as [`line_column`], in time proportional to the line's length.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        let (last_offset, last_column) = self.last.get();
        let column = if last_offset >= line_start && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[line_start..offset].chars().count() + 1
        };
        self.last.set((offset, column));
        LineColumn { line, column }
    }

    /// Renders a diagnostic the way compilers do: `FILE:LINE:COLUMN: error: message`,
    /// then `help: ...` on its own line when there is help.
    pub fn render(&self, file: &str, diagnostic: &Diagnostic) -> String {
        render_at(file, self.line_column(diagnostic.span.start), diagnostic)
    }
}

/// Renders a diagnostic the way compilers do: `FILE:LINE:COLUMN: error: message`,
/// then `help: ...` on its own line when there is help.
pub fn render(file: &str, text: &str, diagnostic: &Diagnostic) -> String {
    render_at(file, line_column(text, diagnostic.span.start), diagnostic)
}

fn render_at(file: &str, at: LineColumn, diagnostic: &Diagnostic) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{file}:{}:{}: {kind}: {}", at.line, at.column, diagnostic.message);
    if let Some(help) = &diagnostic.help {
        out.push_str("\n  help: ");
        out.push_str(help);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let text = "ab\ncé\nx";
        assert_eq!(line_column(text, 0), LineColumn { line: 1, column: 1 });
        assert_eq!(line_column(text, 3), LineColumn { line: 2, column: 1 });
        assert_eq!(line_column(text, 6), LineColumn { line: 2, column: 3 });
        assert_eq!(line_column(text, 7), LineColumn { line: 3, column: 1 });
        assert_eq!(line_column(text, 100), LineColumn { line: 3, column: 2 });
        // inside the two-byte `é`
        assert_eq!(line_column(text, 5), LineColumn { line: 2, column: 2 });
    }

    #[test]
    fn line_index_agrees_with_line_column() {
        let text = "ab\ncé\n\nx";
        let index = LineIndex::new(text);
        for offset in (0..=text.len() + 2).chain((0..=text.len()).rev()) {
            assert_eq!(index.line_column(offset), line_column(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn render_puts_help_on_its_own_line() {
        let d = Diagnostic::error(Span::new(3, 4), "unknown field `Efect`").with_help("did you mean `Effect`?");
        assert_eq!(render("p.json", "ab\ncd", &d), "p.json:2:1: error: unknown field `Efect`\n  help: did you mean `Effect`?");
    }
}
