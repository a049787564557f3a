//! The ecomap: an SVG picture drawn by Cradle with the baby in the middle and each person
//! around them. Lines show the relationship as the clinician judged it (strong, supportive,
//! tenuous, stressful, cut off); the fill of each person's circle shows how much of the
//! baby's care they share. A text alternative describes the same picture in words.
//!
//! Only presentation attributes are used (no `style`), so the strict Content-Security-Policy
//! holds, and the picture prints as it appears. The positions are worked out here; the
//! picture is written by its template (`templates/ecomap.svg`), which escapes every text.

use cradle_domain::network::{CareShare, FamilyRecord, RelationshipNature, RestrictionKind};
use std::fmt::Write;
use time::Date;

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
    /// The language they need an interpreter for ("" when not recorded), if they need one.
    interpreter: Option<String>,
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
        interpreter: interpreter_of(
            record.family.mother_language.interpreter_needed,
            record.family.mother_language.language.as_deref(),
        ),
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
                interpreter: interpreter_of(
                    person.interpreter_needed,
                    person.preferred_language.as_deref(),
                ),
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
            interpreter: interpreter_of(
                person.interpreter_needed,
                person.preferred_language.as_deref(),
            ),
        });
    }
    nodes
}

/// The language someone needs an interpreter for ("" when not recorded), if they need one.
fn interpreter_of(needed: bool, language: Option<&str>) -> Option<String> {
    needed.then(|| language.unwrap_or_default().to_string())
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
            match n.interpreter.as_deref() {
                Some("") => sentence.push_str(", needs an interpreter (language not recorded)"),
                Some(language) => {
                    let _ = write!(sentence, ", needs an interpreter for {language}");
                }
                None => {}
            }
            if let Some(kind) = n.restriction {
                let _ = write!(sentence, ". {}", kind.label().to_uppercase());
            }
            sentence
        })
        .collect()
}

/// A person's circle, the baby's circle, and the distance between their centres.
const NODE_RADIUS: f64 = 58.0;
/// The height of the (at most three) lines of text under a person's circle.
const UNDER_TEXT: f64 = 58.0;
const BABY_RADIUS: f64 = 76.0;
const NAME_SIZE: f64 = 16.0;
const ROLE_SIZE: f64 = 13.0;

/// About how wide `text` is in Arial at `size` (bold when `bold`): an estimate from the
/// widths of narrow, wide and capital letters, a little generous so text never overflows.
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | '\'' | '!' | '|' | ':' | ';' => 0.3,
            'f' | 't' | 'r' | ' ' | '-' | '(' | ')' => 0.38,
            'm' | 'w' => 0.9,
            'M' | 'W' => 0.95,
            c if c.is_uppercase() => 0.74,
            _ => 0.58,
        })
        .sum();
    em * size * if bold { 1.08 } else { 1.0 }
}

/// `text` cut (with "…") to fit `width` at `size`.
fn fitted(text: &str, width: f64, size: f64, bold: bool) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&cut, size, bold) <= width {
            return cut;
        }
    }
    "…".to_string()
}

/// The width of a circle of `radius` at `dy` from its centre, less a margin each side.
fn chord(radius: f64, dy: f64) -> f64 {
    2.0 * (radius * radius - dy * dy).max(0.0).sqrt() - 10.0
}

/// A name in at most two lines that fit inside a circle of `radius`, the lines centred on
/// `first_dy` and `first_dy + line` from its centre: the first word (or words) on the first
/// line, the rest on the second, each shortened only when it cannot fit.
fn name_lines(name: &str, radius: f64, first_dy: f64, line: f64) -> Vec<String> {
    let width = |dy: f64| chord(radius, dy.abs() + NAME_SIZE / 2.0);
    let whole = width(first_dy + line / 2.0);
    if text_width(name, NAME_SIZE, true) <= whole {
        return vec![name.to_string()];
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let first_width = width(first_dy);
    let second_width = width(first_dy + line);
    // As many words on the first line as fit; at least one.
    let mut split = 1;
    while split < words.len()
        && text_width(&words[..=split].join(" "), NAME_SIZE, true) <= first_width
    {
        split += 1;
    }
    let first = fitted(
        &words[..split.min(words.len())].join(" "),
        first_width,
        NAME_SIZE,
        true,
    );
    let rest = words.get(split..).unwrap_or_default().join(" ");
    if rest.is_empty() {
        vec![first]
    } else {
        vec![first, fitted(&rest, second_width, NAME_SIZE, true)]
    }
}

/// The ecomap as a standalone SVG document (for the API and for printing). Its view box is
/// drawn around what it holds, so a small family fills a phone's width; every name fits
/// inside its circle (wrapped, and shortened only if it must be), with the full name as the
/// circle's tooltip and in the text alternative.
/// The ecomap as drawn: every number already placed, every text as it reads. The template
/// (`templates/ecomap.svg`) escapes each text, so a name can never break the picture.
#[derive(askama::Template)]
#[template(path = "ecomap.svg", escape = "html")]
struct EcomapSvg {
    left: String,
    top: String,
    width: String,
    height: String,
    baby: String,
    description: String,
    lines: Vec<LineView>,
    baby_radius: f64,
    name_size: f64,
    role_size: f64,
    node_radius: f64,
    /// The baby's name, a line at a time, each with its height.
    baby_lines: Vec<(String, String)>,
    people: Vec<PersonView>,
}

/// A line from the baby to a person, drawn as the clinician judged the relationship, with
/// the two bars of a cut-off across its middle where there is one.
struct LineView {
    x: String,
    y: String,
    colour: &'static str,
    width: &'static str,
    dash: &'static str,
    bars: Vec<[String; 4]>,
}

/// A person's circle, the lines of their name and role in it, and what is written under it.
struct PersonView {
    title: String,
    x: String,
    y: String,
    fill: &'static str,
    text: &'static str,
    outline: &'static str,
    outline_width: &'static str,
    /// The name, a line at a time, each with its height.
    name_lines: Vec<(String, String)>,
    role_y: String,
    role: String,
    /// What is written under the circle: its height, colour, whether bold, and the words.
    under: Vec<(String, &'static str, bool, String)>,
}

pub fn svg(record: &FamilyRecord, today: Date) -> String {
    let baby = record.family.baby_label();
    let nodes = nodes(record, today);
    let description = text_alternative(record, today).join(". ");
    let count = nodes.len().max(1) as f64;
    // Far enough out that neighbouring circles (and the lines of text under them) do not
    // touch: at least the baby's and a person's circles apart, more as the family grows.
    let apart = if nodes.len() > 1 {
        (NODE_RADIUS * 2.0 + 40.0) / (2.0 * (std::f64::consts::PI / count).sin())
    } else {
        0.0
    };
    // The person above the baby keeps room for its three lines of text (lives with the baby,
    // the interpreter it needs, a restriction) between its circle and the baby's.
    let ring = (BABY_RADIUS + NODE_RADIUS + UNDER_TEXT + 8.0).max(apart);
    let positions: Vec<(f64, f64)> = (0..nodes.len())
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * (i as f64) / count;
            (ring * angle.cos(), ring * angle.sin())
        })
        .collect();
    // Everything drawn lies within the circles and the lines of text under each.
    let below = NODE_RADIUS + UNDER_TEXT + 5.0;
    let margin = 12.0;
    let (mut left, mut right, mut top, mut bottom) =
        (-BABY_RADIUS, BABY_RADIUS, -BABY_RADIUS, BABY_RADIUS);
    for (x, y) in &positions {
        left = left.min(x - NODE_RADIUS - 20.0);
        right = right.max(x + NODE_RADIUS + 20.0);
        top = top.min(y - NODE_RADIUS);
        bottom = bottom.max(y + below);
    }
    let (left, top) = (left - margin, top - margin);
    let (width, height) = (right - left + margin, bottom - top + margin);
    let lines = nodes
        .iter()
        .zip(&positions)
        .map(|(node, &(x, y))| {
            let (colour, width, dash) = line_style(node.nature);
            let mut bars = Vec::new();
            if node.nature == Some(RelationshipNature::CutOff) {
                // Two bars across the middle of the line: the usual ecomap mark for a cut-off.
                let (mx, my) = (x / 2.0, y / 2.0);
                let length = (x * x + y * y).sqrt().max(1.0);
                let (nx, ny) = (-y / length * 12.0, x / length * 12.0);
                let (tx, ty) = (x / length * 5.0, y / length * 5.0);
                for side in [-1.0, 1.0] {
                    bars.push([
                        format!("{:.1}", mx + side * tx - nx),
                        format!("{:.1}", my + side * ty - ny),
                        format!("{:.1}", mx + side * tx + nx),
                        format!("{:.1}", my + side * ty + ny),
                    ]);
                }
            }
            LineView {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                colour,
                width,
                dash,
                bars,
            }
        })
        .collect();
    let baby_lines = name_lines(&baby, BABY_RADIUS, -10.0, 20.0);
    let baby_first = if baby_lines.len() > 1 { -4.0 } else { 6.0 };
    let baby_lines = baby_lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| (format!("{:.1}", baby_first + 20.0 * i as f64), line))
        .collect();
    let people = nodes
        .iter()
        .zip(&positions)
        .map(|(node, &(x, y))| person_view(node, x, y))
        .collect();
    let picture = EcomapSvg {
        left: format!("{left:.0}"),
        top: format!("{top:.0}"),
        width: format!("{width:.0}"),
        height: format!("{height:.0}"),
        baby,
        description,
        lines,
        baby_radius: BABY_RADIUS,
        name_size: NAME_SIZE,
        role_size: ROLE_SIZE,
        node_radius: NODE_RADIUS,
        baby_lines,
        people,
    };
    askama::Template::render(&picture).unwrap_or_else(|error| {
        tracing::error!(%error, "the ecomap could not be drawn");
        String::new()
    })
}

fn person_view(node: &Node, x: f64, y: f64) -> PersonView {
    let (fill, text) = care_fill(node.care);
    let (outline, outline_width) = if node.restriction.is_some() {
        ("#d5281b", "6")
    } else {
        ("#212b32", "2")
    };
    let lines = name_lines(&node.name, NODE_RADIUS, -18.0, 18.0);
    // One line of name sits a little higher than the first of two.
    let first_dy = if lines.len() > 1 { -18.0 } else { -6.0 };
    let role_dy = first_dy + 18.0 * lines.len() as f64 + 2.0;
    let name_lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| (format!("{:.1}", y + first_dy + 18.0 * i as f64), line))
        .collect();
    let mut under = Vec::new();
    let mut at = y + NODE_RADIUS + 18.0;
    if node.lives_with_baby {
        under.push((
            format!("{at:.1}"),
            "#212b32",
            false,
            "lives with baby".to_string(),
        ));
        at += 17.0;
    }
    if let Some(language) = &node.interpreter {
        let words = if language.is_empty() {
            "Interpreter".to_string()
        } else {
            format!("{} interpreter", short(language, 14))
        };
        under.push((format!("{at:.1}"), "#005eb8", true, words));
        at += 17.0;
    }
    if let Some(kind) = node.restriction {
        under.push((
            format!("{at:.1}"),
            "#d5281b",
            true,
            kind.label().to_uppercase(),
        ));
    }
    PersonView {
        title: format!("{}: {}", node.name, node.role),
        x: format!("{x:.1}"),
        y: format!("{y:.1}"),
        fill,
        text,
        outline,
        outline_width,
        name_lines,
        role_y: format!("{:.1}", y + role_dy),
        role: fitted(
            &node.role,
            chord(NODE_RADIUS, role_dy.abs() + ROLE_SIZE / 2.0),
            ROLE_SIZE,
            false,
        ),
        under,
    }
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
            date_of_birth: None,
            age_band: None,
            sex: None,
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
            parental_responsibility: Default::default(),
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
                mother_language: Default::default(),
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
            filming_consents: Vec::new(),
            recordings: Vec::new(),
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
            recording_retention: Default::default(),
            partner_assessments: Vec::new(),
        }
    }

    #[test]
    fn the_picture_has_the_baby_at_the_centre_and_everyone_around() {
        let svg = svg(&record(), date!(2026 - 11 - 26));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Ada &#60;Okafor&#62;"), "names are escaped");
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

    #[test]
    fn every_name_fits_its_circle_wrapped_or_shortened_and_whole_in_the_tooltip() {
        let long = "Chloe Adeyinka-Oluwaseun Bankole-Fitzgerald";
        for name in [
            "Tunde",
            "Amara Okafor",
            "Oluwaseun Bartholomew",
            long,
            "Wwwwwwwwwwwwwwwwwwwwww",
        ] {
            let lines = name_lines(name, NODE_RADIUS, -18.0, 18.0);
            assert!(!lines.is_empty() && lines.len() <= 2, "{name}: {lines:?}");
            for (i, line) in lines.iter().enumerate() {
                let dy = 18.0 - 18.0 * i as f64;
                assert!(
                    text_width(line, NAME_SIZE, true) <= chord(NODE_RADIUS, dy + NAME_SIZE / 2.0),
                    "{name}: {line}"
                );
            }
        }
        assert_eq!(
            name_lines("Amara Okafor", NODE_RADIUS, -18.0, 18.0),
            ["Amara", "Okafor"]
        );
        assert_eq!(name_lines("Tunde", NODE_RADIUS, -18.0, 18.0), ["Tunde"]);
        let mut family = record();
        family.people[0].name = long.to_string();
        let svg = svg(&family, date!(2026 - 11 - 26));
        assert!(
            svg.contains(&format!("<title>{long}: ")),
            "the whole name is the tooltip"
        );
    }
}
