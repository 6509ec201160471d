//! Tables laid out as forms: each row's first cell labels the values after
//! it (`Date of birth | 03/04/1971`), as record pages printed from housing
//! systems and "tenant details" sheets are. Such a table is one person's
//! record, not a row per record, and its labels, not a header row, say what
//! each value is.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::{tidy, Field, Header};
use crate::detect::{Engine, HeaderContext};
use crate::report::Location;

/// A form is short: longer tables are lists, whatever their first column.
pub const MAX_FORM_ROWS: usize = 60;

/// A label's name as written (tidied) and what it says to the detectors.
pub type Label = Rc<(String, Rc<HeaderContext>)>;

/// What a cell of a form is.
#[derive(Debug, Clone)]
pub enum FormCell {
    /// A label: a name, not judged.
    Label,
    /// A value (or an empty cell), under the label nearest before it in its
    /// row, or the row above's for a row that goes on without one (an
    /// address's further lines); `None` before any.
    Value(Option<Label>),
}

/// A cell that names something: a letter, and neither an email address nor
/// a run of three digits, as values have.
pub fn looks_like_name(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
        && !text.contains('@')
        && !text
            .as_bytes()
            .split(|b| !b.is_ascii_digit())
            .any(|run| run.len() >= 3)
}

/// A cell that may be a form's label: it names something, briefly.
pub fn looks_like_label(text: &str) -> bool {
    looks_like_name(text) && text.chars().count() <= 64
}

fn filled<S: AsRef<str>>(cell: &S) -> bool {
    !cell.as_ref().trim().is_empty()
}

/// Reads `rows` as a form, if they are one; else `None` (read them as a
/// table). `header` is the header [`super::find_header`] found for them, if any.
/// They are a form when:
/// - there are at most [`MAX_FORM_ROWS`], and no header of three or more
///   named columns heads them (a table's);
/// - at least two rows have a first cell and more, and each such first cell
///   is a label: it names something ([`looks_like_label`]), holds no value
///   (the engine reads it as a name first, as a header's), and no two are
///   the same (a list's first column repeats, or holds values);
/// - a row with an empty first cell and more comes after such a row (it
///   goes on under that row's label);
/// - the format marks the first cells as labels (`marked`: HTML's `<th>`
///   beside `<td>`), or at least two labels, and a third of them, name a
///   field the rules or the policy know, or end with a colon.
///
/// A later cell in a row is a label too (`Name | Jo Bloggs | DOB | …`) when
/// it reads as one, names a known field or ends with a colon, and a filled
/// cell follows it. Rows with only a first cell (a title, a heading) are
/// values under no label.
pub fn read_form<S: AsRef<str>>(
    engine: &Engine,
    rows: &[Vec<S>],
    header: Option<&Header>,
    marked: bool,
) -> Option<Vec<Vec<FormCell>>> {
    if rows.len() > MAX_FORM_ROWS || header.is_some_and(|h| h.iter().flatten().count() >= 3) {
        return None;
    }
    // Cells that may be labels: each labelled row's first, and later cells
    // that read as names with a filled cell after them.
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    let mut first_cells = HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let first = row.first().filter(|c| filled(*c));
        let rest = row.iter().skip(1).any(filled);
        match (first, rest) {
            (Some(first), true) => {
                let name = tidy(first.as_ref()).to_lowercase();
                if !looks_like_label(&name) || !first_cells.insert(name) {
                    return None;
                }
                candidates.push((r, 0));
            }
            (None, true) if first_cells.is_empty() => return None,
            // Going on under the label above, and may have labels later.
            (None, true) => {}
            _ => continue,
        }
        // A label needs a value after it: before the last filled cell.
        let last = row.iter().rposition(filled).unwrap_or(0);
        for (c, cell) in row.iter().enumerate().take(last).skip(1) {
            let text = cell.as_ref();
            if filled(&text) && looks_like_label(text) {
                candidates.push((r, c));
            }
        }
    }
    if first_cells.len() < 2 {
        return None;
    }
    let texts: Vec<String> = candidates
        .iter()
        .map(|&(r, c)| tidy(rows[r][c].as_ref()))
        .collect();
    let read = engine.read_names(&texts);
    let mut labels = HashMap::new();
    let mut known = 0;
    for ((&(r, c), text), value) in candidates.iter().zip(texts).zip(read.values) {
        if value.is_some() {
            if c == 0 {
                return None;
            }
            continue;
        }
        let context = engine.header_context(&text);
        let says = context.names_a_field() || text.ends_with(':');
        if c == 0 {
            known += usize::from(says);
        } else if !says {
            continue;
        }
        labels.insert((r, c), Rc::new((text, Rc::new(context))));
    }
    if !marked && (known < 2 || known * 3 < first_cells.len()) {
        return None;
    }
    let mut above: Option<Label> = None;
    let form = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            // A row going on (no first cell, more after) is under the label
            // above until a label of its own.
            let goes_on = !row.first().is_some_and(filled) && row.iter().skip(1).any(filled);
            let mut under = if goes_on { above.clone() } else { None };
            let cells = (0..row.len())
                .map(|c| match labels.get(&(r, c)) {
                    Some(label) => {
                        under = Some(Rc::clone(label));
                        if c == 0 {
                            above = Some(Rc::clone(label));
                        }
                        FormCell::Label
                    }
                    None => FormCell::Value(under.clone()),
                })
                .collect();
            cells
        })
        .collect();
    Some(form)
}

/// A form's values (a form read by [`read_form`] from `rows`), as the
/// fields of one record, each under its label. `locate` places a value by
/// its row and column (from 0) and its label's name, if it has one.
pub fn form_fields<'a, S: AsRef<str>>(
    rows: &'a [Vec<S>],
    form: &[Vec<FormCell>],
    locate: impl Fn(usize, usize, Option<&str>) -> Location,
) -> Vec<Field<'a>> {
    let mut fields = Vec::new();
    for (r, (row, cells)) in rows.iter().zip(form).enumerate() {
        for (c, (text, cell)) in row.iter().zip(cells).enumerate() {
            let (FormCell::Value(label), true) = (cell, filled(text)) else {
                continue;
            };
            fields.push(Field {
                text: Cow::Borrowed(text.as_ref()),
                header: label.as_ref().map(|l| Rc::clone(&l.1)),
                location: locate(r, c, label.as_ref().map(|l| l.0.as_str())),
            });
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::super::testing::engine;
    use super::*;

    /// Each cell as `label` (a label), `=name` (a value under `name`) or
    /// `=` (a value under none); `None` when not a form.
    fn read(rows: &[&[&str]], marked: bool) -> Option<Vec<Vec<String>>> {
        let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.to_vec()).collect();
        let engine = engine();
        let opening = &rows[..rows.len().min(super::super::MAX_TITLE_ROWS + 1)];
        let header = super::super::find_header(&engine, opening).map(|(_, h)| h);
        read_form(&engine, &rows, header.as_ref(), marked).map(|form| {
            form.iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            FormCell::Label => "label".to_string(),
                            FormCell::Value(None) => "=".to_string(),
                            FormCell::Value(Some(l)) => format!("={}", l.0),
                        })
                        .collect()
                })
                .collect()
        })
    }

    #[test]
    fn a_table_of_labels_and_values_is_a_form() {
        let form = read(
            &[
                &["Tenant details"],
                &["Status", "Current"],
                &["Name", "Mrs Nia Okafor"],
                &["Date of birth", "03/04/1971"],
                &["Address", "Flat 3 Mill Court"],
                &["", "Leeds LS6 2QT"],
                &["Support needs:", "Epilepsy"],
            ],
            false,
        );
        assert_eq!(
            form,
            Some(vec![
                vec!["=".into()],
                vec!["label".into(), "=Status".into()],
                vec!["label".into(), "=Name".into()],
                vec!["label".into(), "=Date of birth".into()],
                vec!["label".into(), "=Address".into()],
                vec!["=Address".into(), "=Address".into()],
                vec!["label".into(), "=Support needs:".into()],
            ])
        );
    }

    #[test]
    fn labels_later_in_a_row_name_the_values_after_them() {
        let form = read(
            &[
                &["Name", "Jo Bloggs", "DOB", "02/11/1971"],
                &["Phone:", "07700 900123", "Email:", "jo@example.org"],
                // Going on under the label above, with a label of its own.
                &["", "07700 900456", "Support needs:", "Epilepsy"],
                // A value that reads as a name is still a value at the end.
                &["Tenant", "Jo Bloggs", "Status", "Current", "Flat"],
            ],
            false,
        )
        .unwrap();
        assert_eq!(form[0], ["label", "=Name", "label", "=DOB"]);
        assert_eq!(form[1], ["label", "=Phone:", "label", "=Email:"]);
        assert_eq!(form[2], ["=Phone:", "=Phone:", "label", "=Support needs:"]);
        // `Status` names no known field and has no colon: a value.
        assert_eq!(
            form[3],
            ["label", "=Tenant", "=Tenant", "=Tenant", "=Tenant"]
        );
    }

    #[test]
    fn lists_and_tables_are_not_forms() {
        // A header of three names: a table.
        assert!(read(
            &[
                &["Name", "Date of birth", "Phone"],
                &["Tenant", "x", "y"],
                &["Applicant", "x", "y"],
            ],
            false
        )
        .is_none());
        // A first column of values (a list without a header).
        assert!(read(
            &[
                &["Name", "Rent"],
                &["Mrs Nia Okafor", "LS6 2QT"],
                &["Date of birth", "03/04/1971"],
            ],
            false
        )
        .is_none());
        // A first column that repeats.
        assert!(read(
            &[&["Name", "x"], &["Date of birth", "y"], &["Name", "z"]],
            false
        )
        .is_none());
        // Numbers first: a list.
        assert!(read(
            &[&["Name", "x"], &["Date of birth", "y"], &["12345", "z"]],
            false
        )
        .is_none());
        // Labels the rules do not know: a list of statuses, say.
        assert!(read(&[&["Active", "x"], &["Closed", "y"], &["Name", "z"]], false).is_none());
        // ... unless the format marks them as labels.
        assert!(read(&[&["Active", "x"], &["Closed", "y"]], true).is_some());
        // One labelled row is not a form; a row going on under no label is
        // not one either.
        assert!(read(&[&["Name", "x"]], true).is_none());
        assert!(read(&[&["", "x"], &["Name", "x"], &["DOB", "y"]], true).is_none());
        // Long tables are lists.
        let labels: Vec<String> = (0..=MAX_FORM_ROWS).map(|i| format!("Field {i}")).collect();
        let long: Vec<[&str; 2]> = labels.iter().map(|l| [l.as_str(), "x"]).collect();
        let long: Vec<&[&str]> = long.iter().map(|r| &r[..]).collect();
        assert!(read(&long[..MAX_FORM_ROWS], true).is_some());
        assert!(read(&long, true).is_none());
    }
}
