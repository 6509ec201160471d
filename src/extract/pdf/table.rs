//! Tables on a PDF page. A PDF has no tables, only text placed on the page;
//! but a word processor or a spreadsheet draws each cell of a table at its
//! column's left edge, so the starts of a table's pieces line up row after
//! row. Read as lines, a date two rows under "DOB" has nothing to say it is
//! one; read as a table, each cell is judged under its column's header, as
//! a Word table's is.
//!
//! A table is a header line of at least three names followed by rows:
//! - the names stand apart: each starts at least an em past where the one
//!   before would end at half an em a character. Text drawn a word or a run
//!   at a time (a scan's OCR layer, styled words) has pieces that follow
//!   each other closely, some starting where a piece of the line above does
//!   by chance;
//! - at least two rows with pieces starting at two or more of the header's
//!   columns, or one row at three or more. One row at two would not tell a
//!   table from text whose runs happen to start where the header's do: the
//!   first column is the margin, which every line shares;
//! - a row of more pieces than the header has columns has at least half of
//!   them starting at a column (amounts and dates, right aligned, start
//!   anywhere in theirs).
//!
//! A line whose pieces all start at columns other than the first continues
//! the cells above it (a wrapped cell, or a header in two lines). A table
//! that runs to the foot of a page goes on on the next, whose first lines
//! may be its rows with no header (a Word table's header row is not
//! repeated unless asked to be).

use super::super::looks_like_header;

/// Where a piece of text starts: its byte offset in the page's text, and
/// its left edge on the page (`None` where it cannot be compared: in a form
/// XObject, or past what the numbers can say).
#[derive(Clone, Copy, Debug)]
pub(super) struct Mark {
    pub at: usize,
    pub x: Option<f32>,
    /// The font's size on the page (0 where it is not known).
    pub size: f32,
}

/// Pieces start in the same column within this many points: word
/// processors place a column's cells at one edge, exactly.
const ALIGNED: f32 = 2.0;

/// The most columns a header may name: a line of more pieces is text.
const MOST_COLUMNS: usize = 64;

/// A header cell longer than this is text, not a column's name.
const LONGEST_NAME: usize = 64;

/// A row (or the header) wraps onto at most this many lines more: it also
/// bounds how far each line is looked past for a table that is not there.
const MOST_WRAPPED: usize = 16;

/// A table that runs to the foot of its page goes on on the next if one of
/// the next page's first this many lines is its row...
const CONTINUED_WITHIN: usize = 5;

/// ... and if no more than this many lines (a footer, a page number) follow
/// it on its page.
const LINES_BELOW_A_CONTINUED: usize = 3;

/// One table found on a page.
#[derive(Debug, PartialEq)]
pub(super) struct Table {
    /// The columns' names, left to right.
    pub headers: Vec<String>,
    /// The line of its header on this page: none for a table the page
    /// before began.
    pub header_line: Option<usize>,
    /// Where its columns start.
    pub starts: Vec<f32>,
    /// The rows after the header: each one's 0-based line on the page, and
    /// its cells' text by column (empty where it has none).
    pub rows: Vec<Row>,
    /// Its first line (its header's, or its first row's) and its last
    /// (0-based).
    pub first_line: usize,
    pub last_line: usize,
}

impl Table {
    /// Whether it may go on on the next page: it runs to the foot of a page
    /// of `lines` lines.
    pub fn may_go_on(&self, lines: usize) -> bool {
        self.last_line + LINES_BELOW_A_CONTINUED + 1 >= lines
    }
}

/// What placed a table's columns.
#[derive(Clone, Copy, PartialEq)]
enum ColumnsFrom {
    /// Its header's names: its rows start under them.
    Header,
    /// Its first row (names centred over their columns): that row lines up
    /// with the columns whatever it holds, so two more must.
    FirstRow,
    /// The table of the page before, which this page goes on with.
    PageBefore,
}

#[derive(Debug, PartialEq)]
pub(super) struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

struct Piece<'t> {
    x: Option<f32>,
    size: f32,
    text: &'t str,
}

/// The tables among the page's lines (`text`, pieces starting at `marks`,
/// in the order of the text); `before`, the table the page before ended
/// with, if it ran to its foot.
pub(super) fn find(text: &str, marks: &[Mark], before: Option<&Table>) -> Vec<Table> {
    let lines = pieces_by_line(text, marks);
    let mut tables = Vec::new();
    let mut i = 0;
    if let Some(before) = before {
        for first in 0..lines.len().min(CONTINUED_WITHIN) {
            // A header repeated heads the table again.
            if table_at(&lines, first).is_some() {
                break;
            }
            let headers = before.headers.clone();
            if let Some(table) = table_with(
                &lines,
                first,
                None,
                headers,
                &before.starts,
                ColumnsFrom::PageBefore,
            ) {
                i = table.last_line + 1;
                tables.push(table);
                break;
            }
        }
    }
    while i < lines.len() {
        match table_at(&lines, i) {
            Some(table) => {
                i = table.last_line + 1;
                tables.push(table);
            }
            None => i += 1,
        }
    }
    tables
}

/// The table whose header is line `first`, if one is: its columns start
/// where the header's names do; or, the names centred over their columns
/// or the cells right aligned in them, where the first row's cell or the
/// name starts, whichever is further left, if that row fills every column
/// and each name and cell lies within its column.
fn table_at(lines: &[Vec<Piece>], first: usize) -> Option<Table> {
    let header = header_starts(&lines[first])?;
    let names = || lines[first].iter().map(|p| p.text.to_string()).collect();
    let header_line = Some(first);
    table_with(
        lines,
        first + 1,
        header_line,
        names(),
        &header,
        ColumnsFrom::Header,
    )
    .or_else(|| {
        let row = lines.get(first + 1)?;
        let cells: Vec<f32> = row.iter().map(|p| p.x).collect::<Option<_>>()?;
        if cells.len() != header.len() {
            return None;
        }
        let starts: Vec<f32> = cells.iter().zip(&header).map(|(c, h)| c.min(*h)).collect();
        let within =
            (1..starts.len()).all(|j| cells[j - 1].max(header[j - 1]) < starts[j] - ALIGNED);
        within.then(|| {
            table_with(
                lines,
                first + 1,
                header_line,
                names(),
                &starts,
                ColumnsFrom::FirstRow,
            )
        })?
    })
}

/// The table whose rows start at line `first_row`, under `headers` (on
/// `header_line`, if they are on this page), with columns starting at
/// `starts`, if one is.
fn table_with(
    lines: &[Vec<Piece>],
    first_row: usize,
    header_line: Option<usize>,
    mut headers: Vec<String>,
    starts: &[f32],
    columns_from: ColumnsFrom,
) -> Option<Table> {
    let mut rows: Vec<Row> = Vec::new();
    let mut last_line = first_row.saturating_sub(1);
    let mut wrapped = 0;
    // The most columns a row's pieces start at.
    let mut most_aligned = 0;
    for (n, line) in lines.iter().enumerate().skip(first_row) {
        let Some(columns) = columns_of(line, starts) else {
            break;
        };
        let aligned: Vec<usize> = line
            .iter()
            .zip(&columns)
            .filter(|(p, &c)| p.x.is_some_and(|x| (x - starts[c]).abs() <= ALIGNED))
            .map(|(_, &c)| c)
            .collect();
        let mut distinct = aligned.clone();
        distinct.dedup();
        if aligned.len() == line.len() && !columns.contains(&0) {
            // Nothing above it to go on from.
            if rows.is_empty() && header_line.is_none() {
                break;
            }
            wrapped += 1;
            if wrapped > MOST_WRAPPED {
                break;
            }
            // Wrapped cells: their text goes on in the row above (a row
            // whose first cell is empty is read as part of the one above).
            let cells = match rows.last_mut() {
                Some(row) => &mut row.cells,
                None => &mut headers,
            };
            for (piece, &c) in line.iter().zip(&columns) {
                append(&mut cells[c], piece.text);
            }
        } else if distinct.len() >= 2
            && (line.len() <= starts.len() || aligned.len() * 2 >= line.len())
        {
            let mut cells = vec![String::new(); starts.len()];
            for (piece, &c) in line.iter().zip(&columns) {
                append(&mut cells[c], piece.text);
            }
            rows.push(Row { line: n, cells });
            wrapped = 0;
            most_aligned = most_aligned.max(distinct.len());
        } else {
            break;
        }
        last_line = n;
    }
    let enough = match (columns_from, rows.len()) {
        (_, 0) => false,
        // Its columns where the page before's were, exactly.
        (ColumnsFrom::PageBefore, _) => true,
        // A letter's table of one person, at three columns or more.
        (ColumnsFrom::Header, 1) => most_aligned >= 3,
        (ColumnsFrom::Header, _) => true,
        (ColumnsFrom::FirstRow, n) => n >= 3,
    };
    if !enough {
        return None;
    }
    Some(Table {
        headers,
        header_line,
        starts: starts.to_vec(),
        first_line: header_line.unwrap_or(first_row),
        last_line,
        rows,
    })
}

/// The header's columns' left edges, if `line` is a header: three or more
/// pieces, left to right, each naming something (no value: an email
/// address, a run of digits), and not a form's label ("Name:").
fn header_starts(line: &[Piece]) -> Option<Vec<f32>> {
    if line.len() < 3 || line.len() > MOST_COLUMNS {
        return None;
    }
    let mut starts = Vec::with_capacity(line.len());
    let mut clear_from = f32::NEG_INFINITY;
    for piece in line {
        let x = piece.x?;
        let chars = piece.text.chars().count();
        if x < clear_from
            || starts.last().is_some_and(|&last: &f32| x - last <= ALIGNED)
            || chars > LONGEST_NAME
            || !piece.text.chars().any(char::is_alphabetic)
            || piece.text.ends_with(':')
        {
            return None;
        }
        starts.push(x);
        // Where the next name may start: an em past this one's end, at half
        // an em a character (most letters are narrower).
        let ems = chars as f32 * 0.5 + 1.0;
        clear_from = x + ems * piece.size;
    }
    let names: Vec<&str> = line.iter().map(|p| p.text).collect();
    looks_like_header(&names).then_some(starts)
}

/// The column each piece of `line` falls in (the last whose left edge is
/// at or before the piece's), if the line can be in the table: its pieces
/// placed, left to right, none left of the first column.
fn columns_of(line: &[Piece], starts: &[f32]) -> Option<Vec<usize>> {
    let mut columns = Vec::with_capacity(line.len());
    let mut last_x = f32::NEG_INFINITY;
    for piece in line {
        let x = piece.x?;
        if x < last_x {
            return None;
        }
        last_x = x;
        let column = starts
            .partition_point(|&s| s <= x + ALIGNED)
            .checked_sub(1)?;
        columns.push(column);
    }
    (!columns.is_empty()).then_some(columns)
}

fn append(cell: &mut String, text: &str) {
    if !cell.is_empty() {
        cell.push(' ');
    }
    cell.push_str(text);
}

/// Each line's pieces: the text from each mark to the next (or the line's
/// end), trimmed, empty pieces left out. Text before a line's first mark is
/// a piece with no place.
fn pieces_by_line<'t>(text: &'t str, marks: &[Mark]) -> Vec<Vec<Piece<'t>>> {
    let mut lines = Vec::new();
    let mut next_mark = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let content_end = start + line.trim_end_matches('\n').len();
        let mut pieces = Vec::new();
        let mut piece_start = start;
        let mut piece_x = None;
        let mut piece_size = 0.0;
        // Marks at the line's end start nothing on it.
        while next_mark < marks.len() && marks[next_mark].at < end {
            let mark = marks[next_mark];
            next_mark += 1;
            let at = mark.at.max(start).min(content_end);
            push_piece(&mut pieces, text, piece_start..at, piece_x, piece_size);
            piece_start = at;
            piece_x = mark.x;
            piece_size = mark.size;
        }
        push_piece(
            &mut pieces,
            text,
            piece_start..content_end,
            piece_x,
            piece_size,
        );
        lines.push(pieces);
        start = end;
    }
    lines
}

fn push_piece<'t>(
    pieces: &mut Vec<Piece<'t>>,
    text: &'t str,
    range: std::ops::Range<usize>,
    x: Option<f32>,
    size: f32,
) {
    let Some(piece) = text.get(range).map(str::trim).filter(|t| !t.is_empty()) else {
        return;
    };
    let size = if size.is_finite() { size } else { 0.0 };
    pieces.push(Piece {
        x,
        size,
        text: piece,
    });
}

/// The page's text with the tables' lines left empty, so that the rest
/// keeps its line numbers and a table's cells are not read twice.
pub(super) fn without_tables(text: &str, tables: &[Table]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut table = tables.iter().peekable();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        while table.next_if(|t| t.last_line < n).is_some() {}
        match table.peek() {
            Some(t) if t.first_line <= n => {
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's text and marks from lines of (x, text) pieces.
    fn page(lines: &[&[(f32, &str)]]) -> (String, Vec<Mark>) {
        let mut text = String::new();
        let mut marks = Vec::new();
        for line in lines {
            for (i, (x, piece)) in line.iter().enumerate() {
                if i > 0 {
                    text.push(' ');
                }
                marks.push(Mark {
                    at: text.len(),
                    x: Some(*x),
                    size: 11.0,
                });
                text.push_str(piece);
            }
            text.push('\n');
        }
        (text, marks)
    }

    #[test]
    fn a_header_and_rows_starting_at_its_columns_are_a_table() {
        let (text, marks) = page(&[
            &[(72.0, "Dear tenant,")],
            &[(72.0, "Name"), (222.0, "DOB"), (372.0, "NI Number")],
            &[
                (72.0, "Jo Bloggs"),
                (222.0, "02/11/1971"),
                (372.0, "AB 12 34 56 C"),
            ],
            // The same edge within 2 points; an empty cell; a cell right
            // aligned within its column.
            &[(72.1, "Ann Lee"), (223.5, "25/06/2004"), (410.0, "CD 1")],
            // A wrapped cell, its text at its column's edge only.
            &[(372.0, "(old)")],
            &[(72.0, "Sam Ode"), (372.0, "EF 2")],
            &[(72.0, "Yours sincerely")],
        ]);
        let tables = find(&text, &marks, None);
        assert_eq!(
            tables,
            vec![Table {
                headers: vec!["Name".into(), "DOB".into(), "NI Number".into()],
                rows: vec![
                    Row {
                        line: 2,
                        cells: vec![
                            "Jo Bloggs".into(),
                            "02/11/1971".into(),
                            "AB 12 34 56 C".into()
                        ]
                    },
                    Row {
                        line: 3,
                        cells: vec!["Ann Lee".into(), "25/06/2004".into(), "CD 1 (old)".into()]
                    },
                    Row {
                        line: 5,
                        cells: vec!["Sam Ode".into(), String::new(), "EF 2".into()]
                    },
                ],
                header_line: Some(1),
                starts: vec![72.0, 222.0, 372.0],
                first_line: 1,
                last_line: 5,
            }]
        );
        assert_eq!(
            without_tables(&text, &tables),
            "Dear tenant,\n\n\n\n\n\nYours sincerely\n"
        );
    }

    #[test]
    fn one_row_starting_at_three_columns_is_a_table() {
        let (text, marks) = page(&[
            &[(72.0, "Name"), (222.0, "Date of birth"), (372.0, "Phone")],
            &[
                (72.0, "Jo Bloggs"),
                (222.0, "02/11/1971"),
                (372.0, "020 7946 0733"),
            ],
            &[(72.0, "Yours sincerely")],
        ]);
        let tables = find(&text, &marks, None);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].last_line, 1);
        assert_eq!(
            tables[0].rows[0].cells,
            ["Jo Bloggs", "02/11/1971", "020 7946 0733"]
        );
    }

    #[test]
    fn a_table_at_the_foot_of_a_page_goes_on_on_the_next() {
        let header: &[(f32, &str)] = &[(72.0, "Name"), (222.0, "DOB"), (372.0, "NI Number")];
        let (text, marks) = page(&[
            header,
            &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (372.0, "AB")],
            &[(72.0, "Ann Lee"), (222.0, "25/06/2004"), (372.0, "CD")],
            &[(300.0, "Page 1")],
        ]);
        let lines = text.split_inclusive('\n').count();
        let first = find(&text, &marks, None).pop().unwrap();
        assert!(first.may_go_on(lines));
        // The next page's rows, under a line of its own, with no header.
        let (text, marks) = page(&[
            &[(72.0, "Arrears report (continued)")],
            &[(72.0, "Sam Ode"), (222.0, "01/01/1990"), (372.0, "EF")],
            &[(222.0, "(corrected)")],
            &[(72.0, "Dee Ray"), (222.0, "05/05/1985")],
            &[(72.0, "End of report")],
        ]);
        let next = find(&text, &marks, Some(&first));
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].header_line, None);
        assert_eq!(next[0].headers, ["Name", "DOB", "NI Number"]);
        assert_eq!((next[0].first_line, next[0].last_line), (1, 3));
        assert_eq!(
            next[0].rows[0].cells,
            ["Sam Ode", "01/01/1990 (corrected)", "EF"]
        );
        assert!(!next[0].may_go_on(5 + 4));
        // Without the page before's, they are lines.
        assert!(find(&text, &marks, None).is_empty());
        // A header repeated heads the table itself; a page that begins
        // otherwise (a letter, rows further down) does not go on with it.
        let (text, marks) = page(&[
            header,
            &[(72.0, "Sam Ode"), (222.0, "01/01/1990"), (372.0, "EF")],
            &[(72.0, "Dee Ray"), (222.0, "05/05/1985"), (372.0, "GH")],
        ]);
        let again = find(&text, &marks, Some(&first));
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].header_line, Some(0));
        let mut late: Vec<&[(f32, &str)]> = vec![&[(72.0, "Dear tenant,")]; 5];
        late.push(&[(72.0, "Sam Ode"), (222.0, "01/01/1990"), (372.0, "EF")]);
        let (text, marks) = page(&late);
        assert!(find(&text, &marks, Some(&first)).is_empty());
        // A table with lines enough below it ends on its page.
        let (text, marks) = page(&[
            header,
            &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (372.0, "AB")],
            &[(72.0, "Ann Lee"), (222.0, "25/06/2004"), (372.0, "CD")],
            &[(72.0, "Yours sincerely,")],
            &[(72.0, "Lettings Team")],
            &[(72.0, "Meadowbank Housing")],
            &[(300.0, "Page 1")],
        ]);
        let lines = text.split_inclusive('\n').count();
        assert!(!find(&text, &marks, None)[0].may_go_on(lines));
    }

    #[test]
    fn a_header_in_two_lines_is_one() {
        let (text, marks) = page(&[
            &[(72.0, "Name"), (222.0, "Date of"), (372.0, "Tenancy")],
            &[(222.0, "Birth"), (372.0, "End")],
            &[
                (72.0, "Jo Bloggs"),
                (222.0, "02/11/1971"),
                (372.0, "31/03/2012"),
            ],
            &[(72.0, "Ann Lee"), (222.0, "25/06/2004")],
        ]);
        let tables = find(&text, &marks, None);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].headers, ["Name", "Date of Birth", "Tenancy End"]);
        assert_eq!(tables[0].rows.len(), 2);
    }

    #[test]
    fn rows_of_right_aligned_numbers_need_two_columns_that_line_up() {
        let (text, marks) = page(&[
            &[
                (72.0, "Name"),
                (222.0, "DOB"),
                (300.0, "Account"),
                (380.0, "Arrears"),
                (460.0, "NI Number"),
            ],
            &[
                (72.0, "Jo Bloggs"),
                (240.0, "2/11/1971"),
                (318.0, "12345678"),
                (410.0, "12.50"),
                (460.0, "AB"),
            ],
            &[
                (72.0, "Ann Lee"),
                (236.0, "25/06/2004"),
                (318.0, "87654321"),
                (398.0, "1,020.00"),
                (460.0, "CD"),
            ],
        ]);
        let tables = find(&text, &marks, None);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].rows[1].cells[3], "1,020.00");
    }

    #[test]
    fn names_centred_over_their_columns_head_them() {
        let header: &[(f32, &str)] = &[
            (80.0, "Tenant"),
            (160.0, "Date of Birth"),
            (300.0, "Arrears"),
        ];
        let jo: &[(f32, &str)] = &[
            (72.0, "Jo Bloggs"),
            (150.0, "02/11/1971"),
            (310.0, "412.50"),
        ];
        // Amounts right aligned: they start anywhere in their column.
        let ann: &[(f32, &str)] = &[
            (72.0, "Ann Lee"),
            (150.0, "25/06/2004"),
            (298.0, "1,020.00"),
        ];
        let sam: &[(f32, &str)] = &[(72.0, "Sam Ode"), (150.0, "01/01/1990"), (315.0, "0.00")];
        let (text, marks) = page(&[header, jo, ann, sam]);
        let tables = find(&text, &marks, None);
        assert_eq!(tables.len(), 1);
        assert_eq!(
            tables[0].rows[1].cells,
            ["Ann Lee", "25/06/2004", "1,020.00"]
        );
        // Placed by its first row, a table needs two more.
        let (text, marks) = page(&[header, jo, ann]);
        assert!(find(&text, &marks, None).is_empty());
        // A column starts at its name or its first cell, whichever is
        // further left: cells starting right of a name left of them line up
        // with nothing.
        let (text, marks) = page(&[
            header,
            &[
                (72.0, "Jo Bloggs"),
                (170.0, "02/11/1971"),
                (310.0, "412.50"),
            ],
            &[
                (72.0, "Ann Lee"),
                (170.0, "25/06/2004"),
                (298.0, "1,020.00"),
            ],
            &[(72.0, "Sam Ode"), (170.0, "01/01/1990"), (315.0, "0.00")],
        ]);
        assert!(find(&text, &marks, None).is_empty());
    }

    #[test]
    fn text_that_only_looks_like_a_table_is_not_one() {
        // Runs of a paragraph (a word in bold drawn apart): each line
        // starts at the margin, but its other runs start anywhere.
        let prose: &[&[(f32, &str)]] = &[
            &[
                (72.0, "Please call"),
                (131.0, "Jane"),
                (160.0, "about the visit"),
            ],
            &[(72.0, "on the"), (104.0, "Tuesday"), (150.0, "after next")],
            &[(72.0, "or write to us"), (150.5, "at the office")],
        ];
        let (text, marks) = page(prose);
        assert!(find(&text, &marks, None).is_empty());
        // One row starting at two columns is not enough; nor are rows of
        // which fewer than half the pieces start at columns (words drawn
        // apart under a header); nor is a header of two columns (a form's
        // label and value), a header of values, or a label.
        let words: &[(f32, &str)] = &[
            (72.0, "We"),
            (90.0, "wrote"),
            (128.0, "to"),
            (222.0, "you"),
            (250.0, "on"),
            (270.0, "Monday"),
        ];
        for lines in [
            &[
                &[(72.0, "Name"), (222.0, "DOB"), (372.0, "NI Number")][..],
                words,
                words,
                words,
            ][..],
            &[
                &[(72.0, "Name"), (222.0, "DOB"), (372.0, "NI Number")][..],
                &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (380.0, "AB")],
                &[(72.0, "Yours sincerely")],
            ][..],
            &[
                &[(72.0, "Name"), (222.0, "DOB")],
                &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971")],
                &[(72.0, "Ann Lee"), (222.0, "25/06/2004")],
            ],
            &[
                &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (372.0, "AB")],
                &[(72.0, "Ann Lee"), (222.0, "25/06/2004"), (372.0, "CD")],
                &[(72.0, "Sam Ode"), (222.0, "01/01/1990"), (372.0, "EF")],
            ],
            &[
                &[(72.0, "Name:"), (222.0, "DOB"), (372.0, "NI Number")],
                &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (372.0, "AB")],
                &[(72.0, "Ann Lee"), (222.0, "25/06/2004"), (372.0, "CD")],
            ],
        ] {
            let (text, marks) = page(lines);
            assert!(find(&text, &marks, None).is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        /// Whatever a page draws, tables are found without a panic, on its
        /// lines, one after another; and the text without them keeps every
        /// line, emptied or as it was.
        #[test]
        fn any_page_reads(
            lines in proptest::collection::vec(
                proptest::collection::vec((0u8..8, "[A-Za-z0-9 :@/]{0,12}"), 0..6),
                0..12,
            ),
            unplaced in proptest::collection::vec(proptest::bool::ANY, 0..40),
        ) {
            let lines: Vec<Vec<(f32, String)>> = lines
                .into_iter()
                .map(|l| l.into_iter().map(|(x, t)| (f32::from(x) * 100.0, t)).collect())
                .collect();
            let refs: Vec<Vec<(f32, &str)>> = lines
                .iter()
                .map(|l| l.iter().map(|(x, t)| (*x, t.as_str())).collect())
                .collect();
            let slices: Vec<&[(f32, &str)]> = refs.iter().map(Vec::as_slice).collect();
            let (text, mut marks) = page(&slices);
            for (mark, none) in marks.iter_mut().zip(&unplaced) {
                if *none {
                    mark.x = None;
                }
            }
            let count = text.split_inclusive('\n').count();
            let tables = find(&text, &marks, None);
            // And as the next page after its own last table.
            let going_on = tables.last().map(|t| find(&text, &marks, Some(t))).unwrap_or_default();
            for found in [&tables, &going_on] {
                let mut after = 0;
                for t in found {
                    proptest::prop_assert!(t.first_line >= after && t.last_line < count);
                    proptest::prop_assert!(!t.rows.is_empty());
                    proptest::prop_assert!(t.rows.iter().all(|r| r.cells.len() == t.headers.len()));
                    proptest::prop_assert!(t.starts.len() == t.headers.len());
                    after = t.last_line + 1;
                }
            }
            let rest = without_tables(&text, &tables);
            proptest::prop_assert_eq!(rest.split_inclusive('\n').count(), count);
            for (kept, line) in rest.split_inclusive('\n').zip(text.split_inclusive('\n')) {
                proptest::prop_assert!(kept == line || kept == "\n");
            }
        }
    }

    #[test]
    fn text_drawn_a_word_at_a_time_is_not_a_table() {
        // As an OCR layer draws a scanned letter: each word placed on its
        // own, so each line has many pieces, and some start where a word of
        // the line above does.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        let words = [
            "Please", "call", "the", "office", "about", "your", "rent", "on", "Monday",
        ];
        let mut lines = Vec::new();
        for _ in 0..400 {
            let mut x = 72.0;
            let mut line = Vec::new();
            for _ in 0..10 {
                let word = words[next(words.len() as u64) as usize];
                line.push((x, word));
                x += word.len() as f32 * 5.5 + 3.0 + next(3) as f32;
            }
            lines.push(line);
        }
        let refs: Vec<&[(f32, &str)]> = lines.iter().map(Vec::as_slice).collect();
        let (text, marks) = page(&refs);
        assert_eq!(find(&text, &marks, None), []);
        // Each line's words start at two or more of the line above's: one in
        // twenty lines made a table before names had to stand apart.
        let rows_at_two = lines.windows(2).any(|pair| {
            let starts: Vec<f32> = pair[0].iter().map(|p| p.0).collect();
            let aligned = pair[1]
                .iter()
                .filter(|p| starts.iter().any(|s| (p.0 - s).abs() <= ALIGNED))
                .count();
            aligned >= 2
        });
        assert!(rows_at_two);
    }

    #[test]
    fn pieces_without_a_place_end_a_table() {
        let (text, mut marks) = page(&[
            &[(72.0, "Name"), (222.0, "DOB"), (372.0, "NI Number")],
            &[(72.0, "Jo Bloggs"), (222.0, "02/11/1971"), (372.0, "AB")],
            &[(72.0, "Ann Lee"), (222.0, "25/06/2004"), (372.0, "CD")],
            &[(72.0, "Sam Ode"), (222.0, "01/01/1990"), (372.0, "EF")],
        ]);
        // The last row drawn in a form: no place to compare.
        for m in &mut marks[9..] {
            m.x = None;
        }
        let tables = find(&text, &marks, None);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].last_line, 2);
        // Marks past the text, or out of order, are taken as they come.
        let marks = [
            Mark {
                at: 5,
                x: Some(1.0),
                size: 11.0,
            },
            Mark {
                at: 2,
                x: Some(0.0),
                size: f32::NAN,
            },
            Mark {
                at: 1000,
                x: Some(9.0),
                size: 0.0,
            },
        ];
        assert!(find(&text, &marks, None).is_empty());
        assert!(find("", &marks, None).is_empty());
    }
}
