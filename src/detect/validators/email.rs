//! Email addresses, beyond what the pattern checks.

pub fn is_valid(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        for v in [
            "jane.doe@example.com",
            "j+rent@mail.example.co.uk",
            "a@b.org",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "jane..doe@example.com",
            ".jane@example.com",
            "jane@example",
            "jane@-x.com",
            "jane@example.c0m",
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
