//! NHS numbers: ten digits, the last a modulus 11 check digit.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A valid NHS number, stored as its ten digits without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Accepts "943 476 5919", "943-476-5919" or "9434765919".
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(Invalid::new(field, "Enter an NHS number"));
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new(
                field,
                "NHS number must contain only numbers, for example 999 123 4578",
            ));
        }
        if digits.len() != 10 {
            return Err(Invalid::new(field, "NHS number must be 10 digits long"));
        }
        let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let weighted: u32 = values
            .iter()
            .take(9)
            .zip((2..=10).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        let check = match 11 - (weighted % 11) {
            11 => 0,
            10 => {
                return Err(Invalid::new(
                    field,
                    "This is not a valid NHS number: check each digit and try again",
                ))
            }
            other => other,
        };
        if values.get(9) != Some(&check) {
            return Err(Invalid::new(
                field,
                "This is not a valid NHS number: check each digit and try again",
            ));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Numbers starting 999 are issued for testing and never belong to a real patient.
    pub fn is_test_range(&self) -> bool {
        self.0.starts_with("999")
    }

    /// The usual 3-3-4 grouping, "999 123 4578".
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!(
            "{} {} {}",
            d.get(0..3).unwrap_or(""),
            d.get(3..6).unwrap_or(""),
            d.get(6..).unwrap_or("")
        )
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("nhs_number", &value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_numbers_in_any_usual_layout() {
        for text in ["9434765919", "943 476 5919", "943-476-5919", " 9991234578 "] {
            assert!(
                NhsNumber::parse("n", text).is_ok(),
                "{text} should be valid"
            );
        }
        assert_eq!(
            NhsNumber::parse("n", "999 123 4578").map(|n| n.formatted()),
            Ok("999 123 4578".to_string())
        );
    }

    #[test]
    fn refuses_a_wrong_check_digit_with_a_clear_message() {
        let err = NhsNumber::parse("n", "9434765918").unwrap_err();
        assert!(err.message.contains("not a valid NHS number"));
    }

    #[test]
    fn refuses_wrong_lengths_and_letters() {
        assert!(NhsNumber::parse("n", "943476591")
            .unwrap_err()
            .message
            .contains("10 digits"));
        assert!(NhsNumber::parse("n", "94347659A9")
            .unwrap_err()
            .message
            .contains("only numbers"));
        assert!(NhsNumber::parse("n", "")
            .unwrap_err()
            .message
            .contains("Enter"));
    }

    #[test]
    fn a_check_value_of_ten_is_never_valid() {
        // 000000001x: weighted sum 2, 11 - 2 = 9 → valid with 9; find one where it is 10:
        // digits summing to weighted 1 mod 11 give 10. 100000000x: 1*10 = 10 → 11-10 = 1.
        // 000000010x: 1*3 = 3 → 8. Use 0000000 then weights: 5 at weight 2 → 10 → 1 → check 10.
        for last in 0..=9 {
            let text = format!("00000000{}{}", 5, last);
            // weighted = 5*2 = 10, 10 % 11 = 10, 11 - 10 = 1: valid only with 1.
            assert_eq!(NhsNumber::parse("n", &text).is_ok(), last == 1);
        }
        // weighted = 1: digit 1 at weight... no weight of 1, so use 6*2 = 12 → 1 → check 10.
        for last in 0..=9 {
            let text = format!("00000000{}{}", 6, last);
            assert!(NhsNumber::parse("n", &text).is_err());
        }
    }

    #[test]
    fn test_range_is_recognised() {
        assert!(NhsNumber::parse("n", "9991234578").map(|n| n.is_test_range()) == Ok(true));
        assert!(NhsNumber::parse("n", "9434765919").map(|n| n.is_test_range()) == Ok(false));
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits_any_nine_digits(prefix in "[0-9]{9}") {
            let valid: Vec<u32> = (0..=9)
                .filter(|d| NhsNumber::parse("n", &format!("{prefix}{d}")).is_ok())
                .collect();
            prop_assert!(valid.len() <= 1);
        }
    }
}
