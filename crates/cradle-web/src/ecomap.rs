//! The ecomap: an SVG picture drawn by Cradle with the baby in the middle and each person
//! around them. Lines show the relationship as the clinician judged it (strong, supportive,
//! tenuous, stressful, cut off); the fill of each person's circle shows how much of the
//! baby's care they share. A text alternative describes the same picture in words.
//!
//! Only presentation attributes are used (no `style`), so the strict Content-Security-Policy
//! holds, and the picture prints as it appears.

use cradle_domain::network::{CareShare, FamilyRecord, RelationshipNature, RestrictionKind};
use std::fmt::Write;
use time::Date;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 560.0;
const CENTRE: (f64, f64) = (WIDTH / 2.0, HEIGHT / 2.0);
const RING: f64 = 200.0;

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Shortens a name to fit inside a circle.
pub(crate) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

struct Node {
    name: String,
    role: String,
    nature: Option<RelationshipNature>,
    care: CareShare,
    lives_with_baby: bool,
    restriction: Option<RestrictionKind>,
}

fn line_style(nature: Option<RelationshipNature>) -> (&'static str, &'static str, &'static str) {
    // (stroke colour, width, dash pattern)
    match nature {
        Some(RelationshipNature::Strong) => ("#005eb8", "7", ""),
        Some(RelationshipNature::Supportive) => ("#007f3b", "4", ""),
        Some(RelationshipNature::Tenuous) => ("#4c6272", "3", "10 8"),
        Some(RelationshipNature::Stressful) => ("#d5281b", "4", "16 5 3 5"),
        Some(RelationshipNature::CutOff) => ("#212b32", "2", "2 9"),
        None => ("#aeb7bd", "2", ""),
    }
}

fn care_fill(care: CareShare) -> (&'static str, &'static str) {
    // (fill, text colour)
    match care {
        CareShare::MainCarer => ("#003087", "#ffffff"),
        CareShare::Equal => ("#005eb8", "#ffffff"),
        CareShare::Some => ("#cfe3f5", "#212b32"),
        CareShare::None => ("#ffffff", "#212b32"),
    }
}

fn nodes(record: &FamilyRecord, today: Date) -> Vec<Node> {
    let mut nodes = vec![Node {
        name: record.family.mother_name.clone(),
        role: "Mother".to_string(),
        nature: None,
        care: CareShare::MainCarer,
        lives_with_baby: true,
        restriction: None,
    }];
    for person in &record.people {
        let current: Vec<_> = record
            .relationships_of(person.id)
            .filter(|r| r.is_current(today))
            .collect();
        let Some(main) = current
            .iter()
            .find(|r| {
                matches!(
                    r.target,
                    cradle_domain::network::RelationshipTarget::Baby(_)
                )
            })
            .or(current.first())
        else {
            nodes.push(Node {
                name: person.name.clone(),
                role: "No current relationship recorded".to_string(),
                nature: None,
                care: CareShare::None,
                lives_with_baby: false,
                restriction: restriction_of(record, person.id),
            });
            continue;
        };
        nodes.push(Node {
            name: person.name.clone(),
            role: main.kind.label().to_string(),
            nature: main.nature,
            care: main.care_share,
            lives_with_baby: main.lives_with_baby,
            restriction: restriction_of(record, person.id),
        });
    }
    nodes
}

fn restriction_of(
    record: &FamilyRecord,
    person: cradle_domain::PersonId,
) -> Option<RestrictionKind> {
    let involvement = record.involvement(person);
    if !involvement.may_involve {
        Some(RestrictionKind::DoNotInvolve)
    } else if !involvement.may_contact {
        Some(RestrictionKind::DoNotContact)
    } else {
        None
    }
}

/// A sentence per person, for screen readers and for anyone who prefers words.
pub fn text_alternative(record: &FamilyRecord, today: Date) -> Vec<String> {
    let baby = record.family.baby_label();
    nodes(record, today)
        .iter()
        .map(|n| {
            let mut sentence = format!("{}: {}", n.name, n.role.to_lowercase());
            if let Some(nature) = n.nature {
                let _ = write!(
                    sentence,
                    ", relationship with {baby} seen as {}",
                    nature.label().to_lowercase()
                );
            }
            let _ = write!(sentence, ", {}", n.care.label().to_lowercase());
            if n.lives_with_baby {
                sentence.push_str(", lives with the baby");
            }
            if let Some(kind) = n.restriction {
                let _ = write!(sentence, ". {}", kind.label().to_uppercase());
            }
            sentence
        })
        .collect()
}

/// The ecomap as a standalone SVG document (for the API and for printing).
pub fn svg(record: &FamilyRecord, today: Date) -> String {
    let baby = record.family.baby_label();
    let nodes = nodes(record, today);
    let description = text_alternative(record, today).join(". ");
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="ecomap-title ecomap-desc" font-family="Arial, sans-serif">"##
    );
    let _ = write!(
        out,
        r#"<title id="ecomap-title">Ecomap: the people around {}</title><desc id="ecomap-desc">{}</desc>"#,
        escape(&baby),
        escape(&description)
    );
    let _ = write!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let count = nodes.len().max(1) as f64;
    let positions: Vec<(f64, f64)> = (0..nodes.len())
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * (i as f64) / count;
            (
                CENTRE.0 + RING * angle.cos(),
                CENTRE.1 + RING * 0.9 * angle.sin(),
            )
        })
        .collect();
    for (node, (x, y)) in nodes.iter().zip(&positions) {
        let (colour, width, dash) = line_style(node.nature);
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            out,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{x:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="{width}"{dash}/>"#,
            CENTRE.0, CENTRE.1
        );
        if node.nature == Some(RelationshipNature::CutOff) {
            // Two bars across the middle of the line: the usual ecomap mark for a cut-off.
            let (mx, my) = ((CENTRE.0 + x) / 2.0, (CENTRE.1 + y) / 2.0);
            let (dx, dy) = (x - CENTRE.0, y - CENTRE.1);
            let length = (dx * dx + dy * dy).sqrt().max(1.0);
            let (nx, ny) = (-dy / length * 12.0, dx / length * 12.0);
            let (tx, ty) = (dx / length * 5.0, dy / length * 5.0);
            for side in [-1.0, 1.0] {
                let _ = write!(
                    out,
                    r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#212b32" stroke-width="3"/>"##,
                    mx + side * tx - nx,
                    my + side * ty - ny,
                    mx + side * tx + nx,
                    my + side * ty + ny
                );
            }
        }
    }
    let _ = write!(
        out,
        r##"<circle cx="{}" cy="{}" r="70" fill="#ffeb3b" stroke="#212b32" stroke-width="3"/>"##,
        CENTRE.0, CENTRE.1
    );
    let _ = write!(
        out,
        r##"<text x="{}" y="{}" text-anchor="middle" font-size="18" font-weight="bold" fill="#212b32">{}</text>"##,
        CENTRE.0,
        CENTRE.1 + 6.0,
        escape(&short(&baby, 16))
    );
    for (node, (x, y)) in nodes.iter().zip(&positions) {
        let (fill, text) = care_fill(node.care);
        let outline = if node.restriction.is_some() {
            ("#d5281b", "6")
        } else {
            ("#212b32", "2")
        };
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="48" fill="{fill}" stroke="{}" stroke-width="{}"/>"#,
            outline.0, outline.1
        );
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="14" font-weight="bold" fill="{text}">{}</text>"#,
            y - 4.0,
            escape(&short(&node.name, 14))
        );
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="{text}">{}</text>"#,
            y + 13.0,
            escape(&short(&node.role, 16))
        );
        let mut below = y + 66.0;
        if node.lives_with_baby {
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{below:.1}" text-anchor="middle" font-size="12" fill="#212b32">lives with baby</text>"##
            );
            below += 15.0;
        }
        if let Some(kind) = node.restriction {
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{below:.1}" text-anchor="middle" font-size="13" font-weight="bold" fill="#d5281b">{}</text>"##,
                kind.label().to_uppercase()
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cradle_domain::network::*;
    use cradle_domain::*;
    use time::macros::date;

    fn record() -> FamilyRecord {
        let baby = Baby {
            id: BabyId::new(),
            name: Some("Ada <Okafor>".into()),
            date_of_birth: Some(date!(2026 - 11 - 01)),
            due_date: None,
            gestation_at_birth: None,
            nhs_number: None,
        };
        let person = |name: &str| Person {
            id: PersonId::new(),
            name: name.into(),
            phone: None,
            email: None,
            postcode: None,
            preferred_language: None,
            interpreter_needed: false,
            ethnicity: None,
            religion: None,
            cultural_notes: None,
            contact_consent: ContactConsent::Yes,
            version: 1,
        };
        let dad = person("Tunde");
        let gran = person("Grace");
        let relationship = |p: &Person, kind, nature, ended| Relationship {
            id: RelationshipId::new(),
            person_id: p.id,
            target: RelationshipTarget::Baby(baby.id),
            kind,
            lives_with_baby: true,
            care_share: CareShare::Equal,
            contact_frequency: ContactFrequency::Daily,
            nature: Some(nature),
            started_on: None,
            ended_on: ended,
            end_reason: None,
            version: 1,
        };
        FamilyRecord {
            family: Family {
                id: FamilyId::new(),
                team_id: TeamId::new(),
                mother_name: "Amara".into(),
                mother_nhs_number: None,
                mother_date_of_birth: None,
                mother_postcode: None,
                stage: PerinatalStage::Postnatal,
                referral_date: None,
                child_protection: ChildProtectionStatus::None,
                babies: vec![baby.clone()],
                created_at_millis: 0,
                version: 1,
            },
            relationships: vec![
                relationship(
                    &dad,
                    RelationshipKind::Father,
                    RelationshipNature::CutOff,
                    None,
                ),
                relationship(
                    &gran,
                    RelationshipKind::Grandparent,
                    RelationshipNature::Strong,
                    Some(date!(2026 - 11 - 20)),
                ),
            ],
            restrictions: vec![ContactRestriction {
                id: RestrictionId::new(),
                person_id: dad.id,
                kind: RestrictionKind::DoNotInvolve,
                decided_by: "Safeguarding lead".into(),
                reason: "Disclosure".into(),
                review_on: None,
                recorded_at_millis: 0,
                lifted_at_millis: None,
                lifted_by: None,
                lifted_reason: None,
                renewed_as: None,
            }],
            people: vec![dad, gran],
            disclosure_actions: Vec::new(),
            entries: Vec::new(),
            conversations: Vec::new(),
            concerns: Vec::new(),
            observations: Vec::new(),
            moments: Vec::new(),
            notes: Vec::new(),
            plans: Vec::new(),
            interventions: Vec::new(),
            groups: Vec::new(),
            sessions_before_review: 6,
            pathways: Vec::new(),
            responses: Vec::new(),
            pathway_roles: Vec::new(),
            partner_assessments: Vec::new(),
        }
    }

    #[test]
    fn the_picture_has_the_baby_at_the_centre_and_everyone_around() {
        let svg = svg(&record(), date!(2026 - 11 - 26));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Ada &lt;Okafor&gt;"), "names are escaped");
        assert!(!svg.contains("style="), "no inline styles (CSP)");
        assert!(svg.contains("DO NOT INVOLVE"));
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "baby, mother, father, grandmother"
        );
        assert!(svg.contains("stroke-dasharray=\"2 9\""), "cut-off line");
    }

    #[test]
    fn the_text_alternative_says_the_same_in_words_and_drops_ended_relationships() {
        let words = text_alternative(&record(), date!(2026 - 11 - 26));
        assert_eq!(words.len(), 3);
        assert!(
            words[1].starts_with("Tunde: father, relationship with Ada <Okafor> seen as cut off")
        );
        assert!(words[1].ends_with("DO NOT INVOLVE"));
        assert!(words[2].contains("Grace: no current relationship recorded"));
    }
}
