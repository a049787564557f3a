//! Identifiers. Each record kind has its own type so a staff id can never be passed
//! where a family id is meant. New ids are UUID v7: time-ordered, so indexes stay compact.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Reads an id from a URL or form; anything that is not a UUID is refused.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text.trim()).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        /// In the API an id is a UUID written as text.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::ids::uuid_schema()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// A UUID written as text, as the API document describes every id.
pub fn uuid_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
        .into()
}

record_id!(
    /// A member of staff (or a service account) who signs in to Cradle.
    StaffId
);
record_id!(
    /// A perinatal team or Mother and Baby Unit; records belong to one.
    TeamId
);
record_id!(
    /// A family record, centred on the baby.
    FamilyId
);

record_id!(
    /// A baby, or a pregnancy that becomes a baby at birth.
    BabyId
);
record_id!(
    /// A person who matters to a baby: a mother, partner, grandparent, friend… A person can
    /// belong to more than one family without a second record.
    PersonId
);
record_id!(
    /// A relationship of a person to a baby (or to the baby's mother).
    RelationshipId
);
record_id!(
    /// A "do not contact" or "do not involve" decision about a person.
    RestrictionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_uuids_and_refuses_anything_else() {
        let id = FamilyId::new();
        assert_eq!(FamilyId::parse(&id.to_string()), Some(id));
        assert_eq!(FamilyId::parse("not-an-id"), None);
        assert_eq!(FamilyId::parse(""), None);
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let first = StaffId::new();
        let second = StaffId::new();
        assert!(first < second);
    }
}
