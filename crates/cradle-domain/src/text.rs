//! Free text as typed: trimmed, required or optional, and no longer than its limit. Labels are
//! written as they start a sentence ("The goal, in the family's own words"), so the messages
//! read "Enter the goal, …" and "The goal, … must be 1000 characters or fewer".

use crate::Invalid;

/// The text typed, which must not be empty.
pub(crate) fn required_text(
    field: &'static str,
    label: &str,
    typed: &str,
    max: usize,
) -> Result<String, Invalid> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Invalid::new(field, format!("Enter {}", lower_first(label))));
    }
    optional_text(field, label, typed, max).map(Option::unwrap_or_default)
}

/// The text typed, if any.
pub(crate) fn optional_text(
    field: &'static str,
    label: &str,
    typed: &str,
    max: usize,
) -> Result<Option<String>, Invalid> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if typed.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("{label} must be {max} characters or fewer"),
        ));
    }
    Ok(Some(typed.to_string()))
}

/// Text a clinician wrote, ending as a sentence does ("Warm, growing bond" → "Warm, growing
/// bond."), so that the next sentence does not run on from it. Empty text stays empty.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() || text.ends_with(['.', '!', '?', '…']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// Names as a sentence lists them: "Ada", "Ada and Tunde", "Ada, Tunde and Grace".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "The goal" → "the goal", for a label in the middle of a sentence.
pub fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_as_a_sentence_lists_them() {
        let names = |n: &[&str]| and_list(&n.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&[]), "");
        assert_eq!(names(&["Ada"]), "Ada");
        assert_eq!(names(&["Ada", "Tunde"]), "Ada and Tunde");
        assert_eq!(names(&["Ada", "Tunde", "Grace"]), "Ada, Tunde and Grace");
    }

    #[test]
    fn written_text_ends_as_a_sentence() {
        assert_eq!(sentence(" Warm, growing bond "), "Warm, growing bond.");
        assert_eq!(sentence("Is it better?"), "Is it better?");
        assert_eq!(sentence("By phone."), "By phone.");
        assert_eq!(sentence("  "), "");
    }

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        assert_eq!(
            required_text("f", "The name", "  Ada ", 10),
            Ok("Ada".into())
        );
        assert_eq!(
            required_text("f", "The name", "   ", 10)
                .unwrap_err()
                .message,
            "Enter the name"
        );
        assert_eq!(
            optional_text("f", "The name", "abcdefghijk", 10)
                .unwrap_err()
                .message,
            "The name must be 10 characters or fewer"
        );
        assert_eq!(optional_text("f", "The name", " ", 10), Ok(None));
    }
}
