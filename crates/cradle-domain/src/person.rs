//! Facts about a person that shape how a service involves them: postcode, ethnicity.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A UK postcode, stored upper-case with one space: "LS1 4AP".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if compact.is_empty() {
            return Err(Invalid::new(field, "Enter a postcode"));
        }
        let problem = || Invalid::new(field, "Enter a full UK postcode, like LS1 4AP or SW1A 2AA");
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(problem());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b.first().is_some_and(u8::is_ascii_digit)
                && b.get(1..)
                    .is_some_and(|rest| rest.iter().all(u8::is_ascii_alphabetic))
        };
        // Outward codes: A9, A99, AA9, AA99, A9A, AA9A.
        let shape: String = outward
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '9'
                } else if c.is_ascii_alphabetic() {
                    'A'
                } else {
                    '?'
                }
            })
            .collect();
        let outward_ok = matches!(
            shape.as_str(),
            "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
        );
        if !(inward_ok && outward_ok) {
            return Err(problem());
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code ("LS1"), enough to match services by area without the full address.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }
}

/// Ethnic category as the NHS Data Dictionary codes it (the 2001 census categories used
/// across NHS datasets), so equity reports line up with national data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EthnicCategory {
    WhiteBritish,
    WhiteIrish,
    WhiteOther,
    MixedWhiteBlackCaribbean,
    MixedWhiteBlackAfrican,
    MixedWhiteAsian,
    MixedOther,
    AsianIndian,
    AsianPakistani,
    AsianBangladeshi,
    AsianOther,
    BlackCaribbean,
    BlackAfrican,
    BlackOther,
    Chinese,
    OtherEthnicGroup,
    NotStated,
    NotKnown,
}

impl EthnicCategory {
    pub const ALL: [EthnicCategory; 18] = [
        Self::WhiteBritish,
        Self::WhiteIrish,
        Self::WhiteOther,
        Self::MixedWhiteBlackCaribbean,
        Self::MixedWhiteBlackAfrican,
        Self::MixedWhiteAsian,
        Self::MixedOther,
        Self::AsianIndian,
        Self::AsianPakistani,
        Self::AsianBangladeshi,
        Self::AsianOther,
        Self::BlackCaribbean,
        Self::BlackAfrican,
        Self::BlackOther,
        Self::Chinese,
        Self::OtherEthnicGroup,
        Self::NotStated,
        Self::NotKnown,
    ];

    /// The NHS Data Dictionary code.
    pub fn code(self) -> &'static str {
        match self {
            Self::WhiteBritish => "A",
            Self::WhiteIrish => "B",
            Self::WhiteOther => "C",
            Self::MixedWhiteBlackCaribbean => "D",
            Self::MixedWhiteBlackAfrican => "E",
            Self::MixedWhiteAsian => "F",
            Self::MixedOther => "G",
            Self::AsianIndian => "H",
            Self::AsianPakistani => "J",
            Self::AsianBangladeshi => "K",
            Self::AsianOther => "L",
            Self::BlackCaribbean => "M",
            Self::BlackAfrican => "N",
            Self::BlackOther => "P",
            Self::Chinese => "R",
            Self::OtherEthnicGroup => "S",
            Self::NotStated => "Z",
            Self::NotKnown => "99",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::WhiteBritish => "White: British",
            Self::WhiteIrish => "White: Irish",
            Self::WhiteOther => "White: any other White background",
            Self::MixedWhiteBlackCaribbean => "Mixed: White and Black Caribbean",
            Self::MixedWhiteBlackAfrican => "Mixed: White and Black African",
            Self::MixedWhiteAsian => "Mixed: White and Asian",
            Self::MixedOther => "Mixed: any other mixed background",
            Self::AsianIndian => "Asian or Asian British: Indian",
            Self::AsianPakistani => "Asian or Asian British: Pakistani",
            Self::AsianBangladeshi => "Asian or Asian British: Bangladeshi",
            Self::AsianOther => "Asian or Asian British: any other Asian background",
            Self::BlackCaribbean => "Black or Black British: Caribbean",
            Self::BlackAfrican => "Black or Black British: African",
            Self::BlackOther => "Black or Black British: any other Black background",
            Self::Chinese => "Other ethnic groups: Chinese",
            Self::OtherEthnicGroup => "Other ethnic groups: any other ethnic group",
            Self::NotStated => "Not stated (the person chose not to say)",
            Self::NotKnown => "Not known (not asked yet)",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn postcodes_are_normalised_and_checked() {
        for (typed, stored) in [
            ("ls1 4ap", "LS1 4AP"),
            ("SW1A2AA", "SW1A 2AA"),
            (" m1  1ae ", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
        ] {
            assert_eq!(
                Postcode::parse("p", typed).map(|p| p.as_str().to_string()),
                Ok(stored.to_string()),
                "{typed}"
            );
        }
        for bad in ["LS1", "12345", "LS1 4A", "LS1 AAP", "L$1 4AP", "ABCDE 1AA"] {
            assert!(
                Postcode::parse("p", bad).is_err(),
                "{bad} should be refused"
            );
        }
        assert_eq!(
            Postcode::parse("p", "").unwrap_err().message,
            "Enter a postcode"
        );
        assert_eq!(Postcode::parse("p", "LS1 4AP").unwrap().outward(), "LS1");
    }

    #[test]
    fn ethnic_category_codes_are_the_data_dictionary_ones_and_unique() {
        let codes: HashSet<&str> = EthnicCategory::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), EthnicCategory::ALL.len());
        assert_eq!(
            EthnicCategory::from_code("N"),
            Some(EthnicCategory::BlackAfrican)
        );
        assert_eq!(EthnicCategory::from_code("I"), None, "I and O are not used");
    }
}
