//! Bar charts for the HTML report, laid out here and drawn by the template as
//! inline SVG (so every label passes through its escaping). Each bar carries
//! its number as text, and the template also gives the figures as a table.

use serde::Serialize;

const WIDTH: u32 = 640;
const LABEL_WIDTH: u32 = 210;
const BAR_SPACE: u32 = 350;
const ROW_HEIGHT: u32 = 26;
const BAR_HEIGHT: u32 = 18;
/// Labels longer than this are shortened on the chart (the table and the
/// bar's tooltip keep them whole).
const LABEL_CHARS: usize = 30;

#[derive(Debug, Serialize)]
pub struct Segment {
    pub x: u32,
    pub width: u32,
    pub value: u64,
    /// Which series: picks its colour class `s0`…
    pub series: usize,
    pub series_label: String,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub label: String,
    pub short_label: String,
    pub y: u32,
    pub text_y: u32,
    pub total: u64,
    pub total_x: u32,
    pub segments: Vec<Segment>,
    /// Per series, for the table.
    pub values: Vec<u64>,
}

#[derive(Debug, Serialize)]
pub struct Chart {
    pub title: String,
    pub width: u32,
    pub height: u32,
    /// Series names, for the legend and the table's columns (one series: no legend).
    pub series: Vec<String>,
    pub rows: Vec<Row>,
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// One bar a row.
pub fn bars(title: &str, rows: &[(String, u64)]) -> Chart {
    let stacked_rows: Vec<(String, Vec<u64>)> =
        rows.iter().map(|(l, n)| (l.clone(), vec![*n])).collect();
    stacked(title, &["Findings"], &stacked_rows)
}

/// One bar a row, divided into series; bars are scaled to the largest total.
pub fn stacked(title: &str, series: &[&str], rows: &[(String, Vec<u64>)]) -> Chart {
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let rows: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, values))| {
            let y = i as u32 * ROW_HEIGHT + 4;
            let mut x = LABEL_WIDTH;
            let mut cumulative = 0u64;
            let mut segments = Vec::new();
            for (s, &value) in values.iter().enumerate() {
                if value == 0 {
                    continue;
                }
                // Ends are placed by the running total, so rounding never
                // makes a bar longer than its share.
                cumulative += value;
                let end = LABEL_WIDTH + (cumulative * u64::from(BAR_SPACE) / max) as u32;
                segments.push(Segment {
                    x,
                    width: (end - x).max(1),
                    value,
                    series: s,
                    series_label: series.get(s).copied().unwrap_or("").to_string(),
                });
                x = end.max(x + 1);
            }
            Row {
                label: label.clone(),
                short_label: shorten(label),
                y,
                text_y: y + BAR_HEIGHT - 4,
                total: cumulative,
                total_x: x + 6,
                segments,
                values: values.clone(),
            }
        })
        .collect();
    Chart {
        title: title.to_string(),
        width: WIDTH,
        height: (rows.len() as u32 * ROW_HEIGHT).max(ROW_HEIGHT) + 8,
        series: if series.len() > 1 {
            series.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        },
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_space_and_others_scale() {
        let c = bars("t", &[("a".into(), 10), ("b".into(), 5), ("c".into(), 0)]);
        assert_eq!(c.rows[0].segments[0].width, BAR_SPACE);
        assert_eq!(c.rows[1].segments[0].width, BAR_SPACE / 2);
        assert!(c.rows[2].segments.is_empty());
        assert_eq!(c.rows[2].total, 0);
        assert!(c.series.is_empty());
    }

    #[test]
    fn stacked_segments_follow_each_other() {
        let c = stacked("t", &["x", "y"], &[("p".into(), vec![3, 1])]);
        let s = &c.rows[0].segments;
        assert_eq!(s[0].x + s[0].width, s[1].x);
        assert_eq!(s[1].x + s[1].width, LABEL_WIDTH + BAR_SPACE);
        assert_eq!(c.rows[0].total, 4);
        assert_eq!(c.series, vec!["x", "y"]);
    }

    #[test]
    fn long_labels_are_shortened_on_a_character_boundary() {
        let long = "é".repeat(40);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), LABEL_CHARS);
        assert!(short.ends_with('…'));
    }
}
