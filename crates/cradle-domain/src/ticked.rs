//! A list as a form sends it: one field repeated, once for each box ticked. A form reader
//! hands a field sent once to a list as a single text, so a list inside an input that another
//! takes in whole (`#[serde(flatten)]`) would refuse one ticked box; these lists take either.

use serde::de::{Deserializer, SeqAccess, Visitor};

/// Every value of a repeated field, in the order sent: `["mother", "<person id>"]`.
pub fn boxes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct Boxes;
    impl<'de> Visitor<'de> for Boxes {
        type Value = Vec<String>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("one text or a list of texts")
        }

        fn visit_str<E: serde::de::Error>(self, one: &str) -> Result<Self::Value, E> {
            Ok(vec![one.to_string()])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut all = Vec::new();
            while let Some(one) = seq.next_element::<String>()? {
                all.push(one);
            }
            Ok(all)
        }
    }
    deserializer.deserialize_any(Boxes)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Ticked {
        #[serde(deserialize_with = "super::boxes")]
        who: Vec<String>,
    }

    #[test]
    fn a_list_is_read_from_one_value_or_several() {
        let one: Ticked = serde_json::from_str(r#"{"who": "mother"}"#).unwrap();
        assert_eq!(one.who, ["mother"]);
        let two: Ticked = serde_json::from_str(r#"{"who": ["mother", "p1"]}"#).unwrap();
        assert_eq!(two.who, ["mother", "p1"]);
        let none: Ticked = serde_json::from_str("{}").unwrap();
        assert!(none.who.is_empty());
        assert!(serde_json::from_str::<Ticked>(r#"{"who": 7}"#).is_err());
    }
}
