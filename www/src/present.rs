//! Words and positions the page shows for the core's data: decision labels, diagnostic
//! locations, value lists. Pure, so what the user reads is tested natively; the Yew view
//! only arranges these strings.

use iamplay::diagnostic::{line_column, Diagnostic, Severity};
use iamplay::document::json_string;
use iamplay::ecs::{Status, Summary, Who};
use iamplay::json::JsonText;
use iamplay::scenario::RequestResult;
use iamplay::trace::{Decision, MatchTrace, StepVerdict};

/// The badge text: the API's words, spelled for people.
pub fn decision_label(decision: Decision) -> &'static str {
    match decision {
        Decision::Allowed => "allowed",
        Decision::ImplicitDeny => "implicit deny",
        Decision::ExplicitDeny => "explicit deny",
    }
}

/// The CSS class that colours a decision badge.
pub fn decision_class(decision: Decision) -> &'static str {
    match decision {
        Decision::Allowed => "allowed",
        Decision::ImplicitDeny => "implicit-deny",
        Decision::ExplicitDeny => "explicit-deny",
    }
}

/// A request's heading: its name, or its place when it has none.
pub fn request_title(index: usize, result: &RequestResult) -> String {
    match &result.name {
        Some(name) if !name.trim().is_empty() => name.clone(),
        _ => format!("request {}", index + 1),
    }
}

/// A statement as the core's sentences name it: `` `Sid` (#2) `` or `#2`, counting from 1
/// (the trace's `index` counts from 0).
pub fn statement_name(index: usize, sid: Option<&str>) -> String {
    match sid {
        Some(sid) if !sid.is_empty() => format!("`{sid}` (#{})", index + 1),
        _ => format!("#{}", index + 1),
    }
}

/// A piece of a message: the core puts user input between backticks, the page shows it as code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub code: bool,
    pub text: &'a str,
}

/// Splits a message on backticks into text and code. An unpaired backtick is kept as text.
pub fn code_spans(message: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            segments.push(Segment {
                code: false,
                text: &rest[..open],
            });
        }
        segments.push(Segment {
            code: true,
            text: &rest[open + 1..open + 1 + len],
        });
        rest = &rest[open + 1 + len + 1..];
    }
    if !rest.is_empty() {
        segments.push(Segment {
            code: false,
            text: rest,
        });
    }
    segments
}

/// The statement a failing checklist line needs, laid out for reading.
pub fn fix_text(statement: &JsonText) -> String {
    crate::highlight::pretty(&statement.0).unwrap_or_else(|| statement.0.clone())
}

/// What the core understood of a task definition, as (label, text with backticked code)
/// rows for the pane's list.
pub fn understood_facts(task: &Summary) -> Vec<(&'static str, String)> {
    let code = |s: &str| format!("`{s}`");
    let or_none = |s: Option<&String>| s.map_or_else(|| "none".to_string(), |s| code(s));
    let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ") };
    let tags = |tags: &mut dyn Iterator<Item = (&String, &String)>| tags.map(|(k, v)| code(&format!("{k}={v}"))).collect::<Vec<_>>().join(", ");
    let mut facts = vec![
        ("family", or_none(task.family.as_ref())),
        ("launch type", code(task.launch_type)),
        ("task role", or_none(task.task_role.as_ref())),
        ("execution role", or_none(task.execution_role.as_ref())),
        (
            "containers",
            task.containers.iter().map(|c| format!("{}: {} ({})", code(&c.name), c.image.as_deref().map_or_else(|| "no image".to_string(), code), c.registry)).collect::<Vec<_>>().join("; "),
        ),
        ("log groups", list(&task.log_groups)),
        ("secrets", list(&task.secrets)),
    ];
    if !task.efs_volumes.is_empty() {
        facts.push(("EFS volumes", list(&task.efs_volumes)));
    }
    if task.execute_command {
        facts.push(("ECS Exec", "on".into()));
    }
    for r in &task.roles {
        let mut text = format!("{} {}", code(&r.key), code(&r.arn));
        if !r.tags.is_empty() {
            text.push_str(&format!("; role tags, seen as `aws:PrincipalTag/KEY`: {}", tags(&mut r.tags.iter())));
        }
        if !r.policies_known {
            text.push_str("; its policies are not in the input");
        }
        facts.push(("role", text));
    }
    facts.push(("task tags", if task.task_tags.is_empty() { "none".into() } else { tags(&mut task.task_tags.iter().map(|(k, v)| (k, v))) }));
    if let Some(note) = &task.fallback_note {
        facts.push(("no task role", note.clone()));
    }
    facts
}

/// A checklist line's status, as its badge says it.
pub fn check_label(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("pass", "pass"),
        Status::Fail => ("fail", "fail"),
        Status::NotEvaluated => ("not evaluated", "not-evaluated"),
    }
}

/// Who makes a checklist line's call, in words.
pub fn who_label(who: Who) -> &'static str {
    match who {
        Who::ExecutionRole => "execution role",
        Who::TaskRole => "task role",
        Who::ExecutionRoleTrust => "ECS assumes the execution role",
        Who::TaskRoleTrust => "ECS assumes the task role",
    }
}

/// The one-line summary above the results, announced to screen readers on change.
pub fn status_line(requests: usize, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut line = format!("{} evaluated", plural(requests, "request"));
    if errors > 0 {
        line.push_str(&format!(", {}", plural(errors, "error")));
    }
    if warnings > 0 {
        line.push_str(&format!(", {}", plural(warnings, "warning")));
    }
    line
}

/// What the page says about a request's `expect`, when it has one.
pub fn expectation(result: &RequestResult) -> Option<(bool, String)> {
    let expected = result.expect?;
    let met = expected == result.outcome.decision;
    let text = if met {
        format!("as expected ({})", decision_label(expected))
    } else {
        format!("expected {}", decision_label(expected))
    };
    Some((met, text))
}

/// A diagnostic placed in the editor's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub severity: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl Located {
    /// `LINE:COLUMN`, 1-based, as compilers print it.
    pub fn position(&self) -> String {
        format!("{}:{}", self.line, self.column)
    }
}

pub fn locate(text: &str, diagnostic: &Diagnostic) -> Located {
    let at = line_column(text, diagnostic.span.start);
    Located {
        line: at.line,
        column: at.column,
        severity: severity_label(diagnostic.severity),
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone(),
    }
}

pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A condition's request values: `missing` when the request did not carry the key.
pub fn request_values(values: Option<&[String]>) -> String {
    match values {
        None => "missing".to_owned(),
        Some([]) => "(no values)".to_owned(),
        Some(values) => quoted_list(values),
    }
}

/// Values as the policy would write them: `"a", "b"`.
pub fn quoted_list(values: &[String]) -> String {
    if values.is_empty() {
        return "(no values)".to_owned();
    }
    values
        .iter()
        .map(|v| json_string(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line for an `Action`/`Resource`/`Principal` element: did it match, on which pattern.
pub fn match_summary(element: &str, trace: &MatchTrace) -> String {
    let name = if trace.negated {
        format!("Not{element}")
    } else {
        element.to_owned()
    };
    let verdict = if trace.matched {
        "matches"
    } else {
        "does not match"
    };
    match &trace.pattern {
        Some(pattern) => format!("{name} {verdict} `{}` (pattern `{pattern}`)", trace.value),
        None => format!("{name} {verdict} `{}`", trace.value),
    }
}

pub fn verdict_label(verdict: StepVerdict) -> &'static str {
    match verdict {
        StepVerdict::Pass => "pass",
        StepVerdict::Deny => "deny",
        StepVerdict::Skipped => "skipped",
    }
}

/// `true`/`false`, for table cells that answer "did this hold".
pub fn truth(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

#[cfg(test)]
mod tests {
    use iamplay::diagnostic::Span;

    use super::*;

    #[test]
    fn decisions_have_words_and_classes() {
        let cases = [
            (Decision::Allowed, "allowed", "allowed"),
            (Decision::ImplicitDeny, "implicit deny", "implicit-deny"),
            (Decision::ExplicitDeny, "explicit deny", "explicit-deny"),
        ];
        for (decision, label, class) in cases {
            assert_eq!(decision_label(decision), label);
            assert_eq!(decision_class(decision), class);
        }
    }

    #[test]
    fn locate_gives_one_based_line_and_column() {
        let text = "{\n  \"scenario\": 1,\n  oops\n}";
        let start = text.find("oops").unwrap();
        let d = Diagnostic::error(Span::new(start, start + 4), "expected `\"`")
            .with_help("quote the key");
        let located = locate(text, &d);
        assert_eq!(located.position(), "3:3");
        assert_eq!(located.severity, "error");
        assert_eq!(located.message, "expected `\"`");
        assert_eq!(located.help.as_deref(), Some("quote the key"));
    }

    #[test]
    fn status_line_counts() {
        assert_eq!(status_line(2, 0, 0), "2 requests evaluated");
        assert_eq!(
            status_line(1, 1, 2),
            "1 request evaluated, 1 error, 2 warnings"
        );
        assert_eq!(
            status_line(0, 3, 1),
            "0 requests evaluated, 3 errors, 1 warning"
        );
    }

    #[test]
    fn statements_are_named_by_place_and_sid() {
        assert_eq!(statement_name(0, Some("ReadCode")), "`ReadCode` (#1)");
        assert_eq!(statement_name(2, None), "#3");
        assert_eq!(statement_name(1, Some("")), "#2");
    }

    #[test]
    fn backticks_mark_code() {
        let seg = |code, text| Segment { code, text };
        assert_eq!(code_spans("plain"), [seg(false, "plain")]);
        assert_eq!(code_spans(""), []);
        assert_eq!(
            code_spans("allows `s3:GetObject` on `*`"),
            [
                seg(false, "allows "),
                seg(true, "s3:GetObject"),
                seg(false, " on "),
                seg(true, "*")
            ]
        );
        assert_eq!(code_spans("`a`b"), [seg(true, "a"), seg(false, "b")]);
        assert_eq!(code_spans("odd ` tick"), [seg(false, "odd ` tick")]);
        assert_eq!(
            code_spans("`a` and ` b"),
            [seg(true, "a"), seg(false, " and ` b")]
        );
    }

    #[test]
    fn request_values_say_missing() {
        assert_eq!(request_values(None), "missing");
        assert_eq!(request_values(Some(&[])), "(no values)");
        assert_eq!(
            request_values(Some(&["OK".into(), "a\"b".into()])),
            r#""OK", "a\"b""#
        );
    }

    #[test]
    fn match_summary_names_negated_elements() {
        let trace = MatchTrace {
            matched: true,
            negated: false,
            pattern: Some("s3:Get*".into()),
            value: "s3:GetObject".into(),
            note: None,
        };
        assert_eq!(
            match_summary("Action", &trace),
            "Action matches `s3:GetObject` (pattern `s3:Get*`)"
        );
        let trace = MatchTrace {
            matched: false,
            negated: true,
            ..trace
        };
        assert_eq!(
            match_summary("Action", &trace),
            "NotAction does not match `s3:GetObject` (pattern `s3:Get*`)"
        );
    }

    #[test]
    fn fix_statements_are_laid_out_for_reading() {
        let statement = JsonText::object([("Effect", JsonText::string("Allow")), ("Action", JsonText::string("c:\"D")), ("Resource", JsonText::string("*"))]);
        let text = fix_text(&statement);
        assert!(text.contains("\n  \"Effect\": \"Allow\""), "{text}");
        assert!(text.contains(r#""c:\"D""#), "{text}");
    }
}
