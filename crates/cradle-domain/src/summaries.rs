//! "You and your baby": a printable, strengths-first summary for one caregiver, written in
//! plain English (a reading age of about 9 to 11, measured by a test with the Flesch–Kincaid
//! grade), built from the family-facing view so it holds nothing staff-only and nothing
//! that anyone else shared in confidence.

use crate::family_facing::FamilyFacing;
use crate::observations::BabyResponse;
use crate::text::sentence;

/// The summary's parts, in the order they are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaregiverSummary {
    /// Who it is for.
    pub recipient: String,
    pub title: String,
    pub opening: String,
    /// Good moments seen, one sentence each, newest first.
    pub moments: Vec<String>,
    /// What they said themselves, in conversations with them alone.
    pub own_words: Vec<String>,
    /// Strengths the team has noticed in them.
    pub strengths: Vec<String>,
    /// What they would like help with.
    pub support: Vec<String>,
    pub reminders: Vec<&'static str>,
    pub closing: &'static str,
}

/// The plain reminders every summary ends with (Cradle's own words).
pub const REMINDERS: [&str; 6] = [
    "All babies cry, and crying is the way your baby tells you that they need something from you.",
    "If the crying ever gets too much for you, put your baby down safely on their back in their cot.",
    "Then go into another room for a few minutes and take some slow, deep breaths until you feel calmer.",
    "Go back and check on your baby when you are ready, even if they are still crying.",
    "Never shake a baby, however upset or tired you feel, because shaking can seriously hurt them.",
    "You can call us or your health visitor at any time if you would like some help or just want to talk.",
];

const CLOSING: &str = "We are glad to be working with you both. Please bring this with you next time if you would like to talk about any of it.";

fn plain(response: BabyResponse) -> &'static str {
    match response {
        BabyResponse::Smile => "smiled at you",
        BabyResponse::EyeContact => "looked at you",
        BabyResponse::Calming => "calmed down",
        BabyResponse::Vocalising => "made happy sounds",
        BabyResponse::Other => "showed you they liked it",
    }
}

fn listed(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// Builds the summary for the view's recipient (the first, if several), about the family's
/// first baby (or "your baby"). Built from the family-facing view alone, so it can hold
/// nothing staff-only and nothing anyone else shared in confidence.
pub fn caregiver_summary(view: &FamilyFacing) -> CaregiverSummary {
    let name = view.recipient_names.first().cloned().unwrap_or_default();
    let baby = view
        .babies
        .first()
        .and_then(|b| b.name.clone())
        .map(|n| first_name(&n).to_string())
        .unwrap_or_else(|| "your baby".to_string());
    let moments = view
        .moments
        .iter()
        .rev()
        .map(|m| {
            let responses: Vec<&str> = m.baby_responses.iter().map(|r| plain(*r)).collect();
            let when = m
                .noticed_on
                .map(crate::dates::long_date)
                .map(|d| format!("On {d}: "))
                .unwrap_or_default();
            let what = sentence(&m.what_happened);
            if responses.is_empty() {
                format!("{when}{what}")
            } else {
                format!("{when}{what} Then {baby} {}.", listed(&responses))
            }
        })
        .collect();
    let own_words = view
        .own_words
        .iter()
        .map(|text| format!("You told us: “{}”", sentence(text)))
        .collect();
    let sentences = |texts: &[String]| texts.iter().map(|t| sentence(t)).collect();
    CaregiverSummary {
        strengths: sentences(&view.strengths),
        support: sentences(&view.support_wanted),
        recipient: name.clone(),
        title: format!("You and {baby}"),
        opening: format!(
            "This summary is for you, {}, and it is about you and {baby}. It tells you about some of the good things we have noticed when you are together.",
            first_name(&name)
        ),
        moments,
        own_words,
        reminders: REMINDERS.to_vec(),
        closing: CLOSING,
    }
}

/// Counts of a text's words, sentences and syllables (syllables by vowel groups, a silent
/// final "e" not counted): enough for a reading-age estimate.
pub fn text_counts(text: &str) -> (usize, usize, usize) {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphabetic())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let sentences = text
        .chars()
        .filter(|c| matches!(c, '.' | '!' | '?'))
        .count()
        .max(1);
    let syllables = words.iter().map(|w| syllables(w)).sum();
    (words.len(), sentences, syllables)
}

fn syllables(word: &str) -> usize {
    let vowel = |c: char| "aeiouy".contains(c);
    let chars: Vec<char> = word.chars().collect();
    let mut count = 0;
    let mut previous = false;
    for c in &chars {
        let v = vowel(*c);
        if v && !previous {
            count += 1;
        }
        previous = v;
    }
    if word.ends_with('e') && !word.ends_with("le") && count > 1 {
        count -= 1;
    }
    count.max(1)
}

/// The Flesch–Kincaid grade level of a text; a UK reading age is about the grade plus 5.
pub fn flesch_kincaid_grade(text: &str) -> f64 {
    let (words, sentences, syllables) = text_counts(text);
    if words == 0 {
        return 0.0;
    }
    let words = words as f64;
    0.39 * (words / sentences as f64) + 11.8 * (syllables as f64 / words) - 15.59
}

impl CaregiverSummary {
    /// Everything printed, as one text.
    pub fn text(&self) -> String {
        let mut parts = vec![self.title.clone() + ".", self.opening.clone()];
        parts.extend(self.moments.iter().cloned());
        parts.extend(self.strengths.iter().cloned());
        parts.extend(self.own_words.iter().cloned());
        parts.extend(self.support.iter().cloned());
        parts.extend(self.reminders.iter().map(|r| r.to_string()));
        parts.push(self.closing.to_string());
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading_age(text: &str) -> f64 {
        flesch_kincaid_grade(text) + 5.0
    }

    #[test]
    fn syllables_are_counted_as_people_say_them() {
        assert_eq!(syllables("baby"), 2);
        assert_eq!(syllables("cries"), 1);
        assert_eq!(syllables("calm"), 1);
        assert_eq!(syllables("little"), 2);
        assert_eq!(syllables("together"), 3);
    }

    #[test]
    fn cradles_own_words_read_at_an_age_of_nine_to_eleven() {
        let own = format!(
            "{} {} {}",
            "This summary is for you, Tunde, and it is about you and Ada. It tells you about some of the good things we have noticed when you are together.",
            REMINDERS.join(" "),
            CLOSING
        );
        let age = reading_age(&own);
        assert!((9.0..=11.0).contains(&age), "reading age {age:.1}");
    }
}
