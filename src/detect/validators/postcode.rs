//! UK postcodes. The detector's pattern encodes the full format (which
//! letters may stand where); this adds what a pattern says poorly.

pub fn is_valid(value: &str) -> bool {
    let letters: Vec<char> = value.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    // All capitals or all lower case: "Ab1 2Cd" is a word, not a postcode.
    let upper = letters.iter().all(|c| c.is_ascii_uppercase());
    let lower = letters.iter().all(|c| c.is_ascii_lowercase());
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    (upper || lower) && (5..=7).contains(&compact.len()) && in_an_area(&compact)
}

/// Royal Mail's 121 postcode areas (the letters before the district's
/// digit), with the Crown Dependencies' three (GY, JE, IM), British Forces'
/// BF, the non-geographic BX and Girobank's GIR. The format lets through letters that name no area:
/// "IA64 HP" (an `ia64hp` in a build log), "A7 6AE" (a CPU's name).
const AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GIR", "GL", "GU", "GY", "HA", "HD", "HG",
    "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA",
    "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR",
    "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG",
    "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ",
    "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

fn in_an_area(compact: &str) -> bool {
    let area: String = compact
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    AREAS.binary_search(&area.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        for v in [
            "SW1A 1AA", "GIR 0AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "ec1a 1bb", "W1A0AX",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn every_area_is_listed_once_in_order() {
        assert_eq!(AREAS.len(), 121 + 3 + 3);
        assert!(AREAS.windows(2).all(|w| w[0] < w[1]));
        for area in ["BT", "GY", "JE", "IM", "ZE", "BF", "E", "W"] {
            assert!(
                in_an_area(&format!("{area}1 1AA").replace(' ', "")),
                "{area}"
            );
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "Sw1A 1aA",
            "M1",
            "SW1A 1AAA",
            "IA6 4HP",
            "ia64hp",
            "A7 6AE",
            "QQ1 1AA",
            "XY1 1AA",
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
