//! Masking: values are hidden by default in every output.

/// A value masked without its shape: a gender's length would tell it.
pub const SHAPELESS: &str = "***";

/// Hides the letters and digits of `value` but the first `keep_start` and the
/// last `keep_end`; separators stay, so the shape remains readable
/// (`AB 12 34 56 C` → `AB ** ** ** C`). At least half the letters and digits
/// are always hidden, however short the value.
pub fn mask(value: &str, keep_start: usize, keep_end: usize) -> String {
    let significant = value.chars().filter(|c| c.is_alphanumeric()).count();
    let budget = significant / 2;
    let keep_start = keep_start.min(budget);
    let keep_end = keep_end.min(budget - keep_start);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= keep_start || seen > significant - keep_end {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_shape_hides_most() {
        assert_eq!(mask("AB123456C", 2, 1), "AB******C");
        assert_eq!(mask("AB 12 34 56 C", 2, 1), "AB ** ** ** C");
        assert_eq!(mask("4556 7375 8689 9855", 0, 4), "**** **** **** 9855");
        assert_eq!(mask("jane.doe@example.com", 1, 3), "j***.***@*******.com");
        assert_eq!(mask("03/04/1985", 0, 2), "**/**/**85");
    }

    #[test]
    fn short_values_are_mostly_hidden() {
        assert_eq!(mask("hiv", 1, 1), "h**");
        assert_eq!(mask("ab", 5, 5), "a*");
        assert_eq!(mask("", 1, 1), "");
    }
}
