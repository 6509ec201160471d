//! Retention: when a record's retention period ends, and whether that is
//! before the date the scan is judged at.

use jiff::civil::Date;
use jiff::{Span, Unit as JiffUnit};

use super::policy::{Holds, Period, Process, Trigger, Unit};
use super::{Fields, FlagKind};
use crate::detect::validators::dates::{parse_month_first, parse_uk_date};

/// The retention flag a record raises under its process, if any.
pub(super) fn judge(
    p: &Process,
    fields: &Fields,
    as_of: Date,
    modified: Option<Date>,
) -> Option<(FlagKind, String)> {
    let r = p.retention.as_ref()?;
    let unknown = |why: String| {
        Some((
            FlagKind::RetentionUnknown,
            format!(
                "Process \"{}\" keeps records {} after {}, but {why}, so when this one is due for deletion cannot be worked out.",
                p.name,
                r.period,
                r.after.as_ref().map_or("its trigger".into(), |t| t.to_string())
            ),
        ))
    };
    if let Some((column, holds)) = &r.kept_while {
        if let Some((_, Some(v))) = fields.first(std::slice::from_ref(column)) {
            if condition_holds(v, *holds) {
                return None;
            }
        }
    }
    let (n, unit) = match r.period {
        Period::Span(n, unit) => (n, unit),
        Period::Indefinite => {
            // Kept only while the condition held, and it no longer does.
            return r.kept_while.as_ref().map(|(column, holds)| {
                (
                    FlagKind::PastRetention,
                    format!(
                        "Process \"{}\" keeps records only while \"{column}\" is {}, and in this record it is not.",
                        p.name,
                        holds_words(*holds)
                    ),
                )
            });
        }
    };
    let (what, start) = match r.after.as_ref()? {
        Trigger::Column(names) => match fields.first(names) {
            None => return unknown(format!("this record has no {} column", names.join(" / "))),
            Some((_, None)) if r.missing_is_live => return None,
            Some((name, None)) => return unknown(format!("its \"{name}\" is empty")),
            Some((name, Some(v))) => match parse_date(v, as_of) {
                Some(d) => (format!("\"{name}\""), d),
                None => return unknown(format!("its \"{name}\" is not a date")),
            },
        },
        Trigger::DocumentDate => match fields
            .draft
            .document_date
            .as_deref()
            .and_then(|d| parse_date(d, as_of))
        {
            Some(d) => ("the document's own date".to_string(), d),
            None => return unknown("this document states no date of its own".into()),
        },
        Trigger::Modified => match modified {
            Some(d) => ("the file's modification date".to_string(), d),
            None => return unknown("the file's modification time is not known".into()),
        },
    };
    let span = match unit {
        Unit::Days => Span::new().days(n),
        Unit::Weeks => Span::new().weeks(n),
        Unit::Months => Span::new().months(n),
        Unit::Years => Span::new().years(n),
    };
    let due = start.checked_add(span).ok()?;
    if due >= as_of {
        return None;
    }
    Some((
        FlagKind::PastRetention,
        format!(
            "Past retention: process \"{}\" keeps records {} after {what}, which is {start}, so this one was due for deletion on {due}, {} before {as_of}.",
            p.name,
            r.period,
            overdue(due, as_of)
        ),
    ))
}

/// A trigger cell: a UK date, an ISO date, or an ISO date-time; a date that
/// cannot be day-first (3/28/2010) month-first, as a US-locale export
/// writes it.
pub fn parse_date(text: &str, as_of: Date) -> Option<Date> {
    let t = text.trim();
    let day_part = t.split(['T', ' ']).next().unwrap_or(t);
    if day_part.len() == 10 && day_part.as_bytes()[4] == b'-' {
        if let Ok(d) = day_part.parse::<Date>() {
            return Some(d);
        }
    }
    // Two-digit years belong to the century that keeps the date on or before
    // `as_of`: trigger dates (a tenancy's end) are in the past.
    parse_uk_date(t, as_of).or_else(|| parse_month_first(t, as_of))
}

fn condition_holds(value: &str, holds: Holds) -> bool {
    let v = value.trim();
    match holds {
        Holds::NonEmpty => !v.is_empty(),
        Holds::Yes => matches!(v.to_lowercase().as_str(), "yes" | "y" | "true" | "1"),
        Holds::Positive => v
            .trim_start_matches('£')
            .replace(',', "")
            .parse::<f64>()
            .is_ok_and(|n| n > 0.0),
    }
}

fn holds_words(holds: Holds) -> &'static str {
    match holds {
        Holds::Positive => "above zero",
        Holds::NonEmpty => "filled in",
        Holds::Yes => "yes",
    }
}

/// "4 years, 9 months", "12 days".
pub fn overdue(due: Date, as_of: Date) -> String {
    let Ok(span) = due.until((JiffUnit::Year, as_of)) else {
        return format!("{} days", (as_of - due).get_days());
    };
    let mut parts = Vec::new();
    for (n, word) in [
        (span.get_years() as i64, "year"),
        (span.get_months() as i64, "month"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        let d = span.get_days() as i64;
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    parts.join(", ")
}
