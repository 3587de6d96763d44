//! Plain-text renderings of an outcome: the readable trace the command-line tool prints.

use std::fmt::Write;

use crate::trace::{ConditionTrace, MatchTrace, Outcome, PolicyTrace, StatementTrace, StepVerdict};

/// The whole trace as indented text, for a person reading a terminal.
pub fn outcome_text(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "why: {}", outcome.why);
    out.push_str("steps:\n");
    for s in &outcome.steps {
        let mark = match s.verdict {
            StepVerdict::Pass => "pass",
            StepVerdict::Deny => "DENY",
            StepVerdict::Skipped => "skip",
        };
        let _ = writeln!(out, "  [{mark}] {}: {}", s.gate, s.detail);
    }
    for p in &outcome.policies {
        policy_text(&mut out, p);
    }
    if !outcome.missing_context_values.is_empty() {
        let _ = writeln!(out, "missing context values: {}", outcome.missing_context_values.join(", "));
    }
    if !outcome.derived_context.is_empty() {
        out.push_str("derived context:\n");
        for e in &outcome.derived_context {
            let _ = writeln!(out, "  {} = {} ({})", e.key, e.values.join(", "), e.source);
        }
    }
    for n in &outcome.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

fn policy_text(out: &mut String, p: &PolicyTrace) {
    let level = p.level.map(|l| format!(" (level {})", l + 1)).unwrap_or_default();
    let verdict = match (p.denies, p.allows) {
        (true, _) => "denies",
        (false, true) => "allows",
        _ => "does not apply",
    };
    let _ = writeln!(out, "{} `{}`{level}: {verdict}", p.policy_type.label(), p.name);
    if p.statements.is_empty() {
        out.push_str("  (no statements)\n");
    }
    for s in &p.statements {
        statement_text(out, s);
    }
}

fn statement_text(out: &mut String, s: &StatementTrace) {
    let sid = s.sid.as_deref().map(|x| format!(" `{x}`")).unwrap_or_default();
    let applies = if s.applies { "applies" } else { "does not apply" };
    let _ = writeln!(out, "  statement #{}{sid} ({}): {applies}", s.index + 1, s.effect);
    match_text(out, if s.action.negated { "NotAction" } else { "Action" }, &s.action);
    match_text(out, if s.resource.negated { "NotResource" } else { "Resource" }, &s.resource);
    if let Some(p) = &s.principal {
        match_text(out, if p.negated { "NotPrincipal" } else { "Principal" }, p);
    }
    for c in &s.conditions {
        condition_text(out, c);
    }
}

fn match_text(out: &mut String, element: &str, m: &MatchTrace) {
    let mark = if m.matched { "✓" } else { "✗" };
    let how = match (&m.pattern, m.negated) {
        (Some(p), false) => format!("matched by `{p}`"),
        (Some(p), true) => format!("excluded by `{p}`"),
        (None, false) => "no pattern matches".to_string(),
        (None, true) => "no pattern excludes it".to_string(),
    };
    let _ = write!(out, "    {mark} {element}: `{}` {how}", m.value);
    if let Some(note) = &m.note {
        let _ = write!(out, " ({note})");
    }
    out.push('\n');
}

fn condition_text(out: &mut String, c: &ConditionTrace) {
    let mark = if c.result { "✓" } else { "✗" };
    let request = match &c.request_values {
        None => "missing".to_string(),
        Some(v) => format!("[{}]", v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")),
    };
    let policy = c.policy_values.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ");
    let _ = write!(out, "    {mark} Condition {} {}: request {request}, policy [{policy}]: {}", c.operator, c.key, c.rule.describe());
    if let Some(note) = &c.note {
        let _ = write!(out, " ({note})");
    }
    out.push('\n');
}
