//! ELAN's annotation format (EAF 3.0) for one coder's coding of a recording, written and read
//! back, so that researchers and supervisors can code in ELAN and compare.
//!
//! Written: one tier for each subject and code (ELAN does not let annotations on one tier
//! overlap, and a state of one code often overlaps a moment of another), named "Ada Okafor:
//! Smiles", its participant the subject's name; times in milliseconds; the scheme as a
//! controlled vocabulary whose entries are the codes; each annotation's value its code. A
//! note or modifiers go on tiers that depend on it ("… : note", "… : modifiers"), one
//! annotation referring to each coded one. Header properties name the scheme, its version and
//! each tier's subject, so a file written here reads back unchanged.
//!
//! Read: a file from ELAN or from here is mapped to the scheme: its tiers to the baby or the
//! caregivers on the recording (by the header's subject, else by the participant's or tier's
//! name), its values to codes in use. A file that is not well-formed, declares a document type
//! (nothing Cradle reads needs one, and refusing them closes the door on external entities and
//! entity expansion), has a negative, missing or broken time, an annotation that ends before
//! it starts, two overlapping on one tier, or a reference to something not in the file, is
//! refused whole with the reason. Tiers, codes and modifiers that do not map are reported, and
//! what does map is returned for the user to confirm: nothing is kept half-imported.

use crate::coded_events::{CodedEvent, EventContent, EventInput, Subject};
use crate::coding::{CodingScheme, EventKind};
use crate::ids::BabyId;
use crate::recordings::Recording;
use crate::{Invalid, Problems};
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Someone who may be coded on the recording, with the name files give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSubject {
    pub subject: Subject,
    pub name: String,
}

/// What an EAF file is written from.
pub struct EafExport<'a> {
    pub scheme: &'a CodingScheme,
    /// One coder's events as they now stand (removed ones left out by the caller).
    pub events: Vec<&'a CodedEvent>,
    pub subjects: &'a [NamedSubject],
    pub coder: &'a str,
    /// The recording's file name as uploaded, and its media type.
    pub media_name: &'a str,
    pub media_type: &'a str,
    /// When it was written, as an ISO 8601 date and time.
    pub written_at: &'a str,
}

const LANG: &str = "eng";
const CODES_TYPE: &str = "cradle-codes";
const NOTES_TYPE: &str = "cradle-notes";
const SCHEME_PROPERTY: &str = "cradle:scheme";
const VERSION_PROPERTY: &str = "cradle:scheme-version";
const TIER_PROPERTY: &str = "cradle:subject:";

fn attr(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text)
}

/// The EAF file of `export`.
pub fn write_eaf(export: &EafExport) -> String {
    let name_of = |subject: Subject| {
        export
            .subjects
            .iter()
            .find(|s| s.subject == subject)
            .map_or_else(|| subject.code(), |s| s.name.clone())
    };
    // Tiers in the order of subjects, then of the scheme's codes.
    let mut tiers: Vec<(String, Subject, &str, Vec<&CodedEvent>)> = Vec::new();
    let mut subjects: Vec<Subject> = export.subjects.iter().map(|s| s.subject).collect();
    for event in &export.events {
        if !subjects.contains(&event.content.subject) {
            subjects.push(event.content.subject);
        }
    }
    for subject in subjects {
        for code in &export.scheme.codes {
            let mut events: Vec<&CodedEvent> = export
                .events
                .iter()
                .copied()
                .filter(|e| e.content.subject == subject && e.content.code == code.code)
                .collect();
            if events.is_empty() {
                continue;
            }
            events.sort_by_key(|e| e.content.start_millis);
            tiers.push((
                format!("{}: {}", name_of(subject), code.label),
                subject,
                code.code.as_str(),
                events,
            ));
        }
    }
    let mut slots: Vec<u64> = Vec::new();
    let mut tier_xml = String::new();
    let mut annotation = 0;
    for (tier, subject, _, events) in &tiers {
        let mut coded = String::new();
        let mut notes = String::new();
        let mut modifiers = String::new();
        for event in events {
            annotation += 1;
            let id = format!("a{annotation}");
            slots.push(event.content.start_millis);
            let start = slots.len();
            slots.push(
                event
                    .content
                    .end_millis
                    .unwrap_or(event.content.start_millis),
            );
            let end = slots.len();
            let _ = write!(
                coded,
                "    <ANNOTATION>\n      <ALIGNABLE_ANNOTATION ANNOTATION_ID=\"{id}\" TIME_SLOT_REF1=\"ts{start}\" TIME_SLOT_REF2=\"ts{end}\" CVE_REF=\"cve_{}\">\n        <ANNOTATION_VALUE>{}</ANNOTATION_VALUE>\n      </ALIGNABLE_ANNOTATION>\n    </ANNOTATION>\n",
                attr(&event.content.code),
                escape(&event.content.code)
            );
            for (text, into) in [
                (event.content.note.clone(), &mut notes),
                (event.content.modifiers.join("; "), &mut modifiers),
            ] {
                if text.is_empty() {
                    continue;
                }
                annotation += 1;
                let _ = write!(
                    into,
                    "    <ANNOTATION>\n      <REF_ANNOTATION ANNOTATION_ID=\"a{annotation}\" ANNOTATION_REF=\"{id}\">\n        <ANNOTATION_VALUE>{}</ANNOTATION_VALUE>\n      </REF_ANNOTATION>\n    </ANNOTATION>\n",
                    escape(&text)
                );
            }
        }
        let participant = name_of(*subject);
        let _ = write!(
            tier_xml,
            "  <TIER TIER_ID=\"{}\" PARTICIPANT=\"{}\" ANNOTATOR=\"{}\" LINGUISTIC_TYPE_REF=\"{CODES_TYPE}\">\n{coded}  </TIER>\n",
            attr(tier),
            attr(&participant),
            attr(export.coder)
        );
        for (suffix, body) in [("note", notes), ("modifiers", modifiers)] {
            if body.is_empty() {
                continue;
            }
            let _ = write!(
                tier_xml,
                "  <TIER TIER_ID=\"{}: {suffix}\" PARTICIPANT=\"{}\" ANNOTATOR=\"{}\" LINGUISTIC_TYPE_REF=\"{NOTES_TYPE}\" PARENT_REF=\"{}\">\n{body}  </TIER>\n",
                attr(tier),
                attr(&participant),
                attr(export.coder),
                attr(tier)
            );
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ANNOTATION_DOCUMENT AUTHOR=\"{}\" DATE=\"{}\" FORMAT=\"3.0\" VERSION=\"3.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"http://www.mpi.nl/tools/elan/EAFv3.0.xsd\">\n  <HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\">\n    <MEDIA_DESCRIPTOR MEDIA_URL=\"file:///{}\" MIME_TYPE=\"{}\"/>\n    <PROPERTY NAME=\"{SCHEME_PROPERTY}\">{}</PROPERTY>\n    <PROPERTY NAME=\"{VERSION_PROPERTY}\">{}</PROPERTY>\n",
        attr(export.coder),
        attr(export.written_at),
        attr(export.media_name),
        attr(export.media_type),
        export.scheme.id,
        export.scheme.version
    );
    for (tier, subject, _, _) in &tiers {
        let _ = writeln!(
            out,
            "    <PROPERTY NAME=\"{TIER_PROPERTY}{}\">{}</PROPERTY>",
            attr(tier),
            escape(subject.code())
        );
    }
    let _ = writeln!(
        out,
        "    <PROPERTY NAME=\"lastUsedAnnotationId\">{annotation}</PROPERTY>\n  </HEADER>\n  <TIME_ORDER>"
    );
    for (n, millis) in slots.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <TIME_SLOT TIME_SLOT_ID=\"ts{}\" TIME_VALUE=\"{millis}\"/>",
            n + 1
        );
    }
    out.push_str("  </TIME_ORDER>\n");
    out.push_str(&tier_xml);
    let _ = write!(
        out,
        "  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID=\"{CODES_TYPE}\" TIME_ALIGNABLE=\"true\" GRAPHIC_REFERENCES=\"false\" CONTROLLED_VOCABULARY_REF=\"{}\"/>\n  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID=\"{NOTES_TYPE}\" TIME_ALIGNABLE=\"false\" GRAPHIC_REFERENCES=\"false\" CONSTRAINTS=\"Symbolic_Association\"/>\n  <LANGUAGE LANG_DEF=\"http://cdb.iso.org/lg/CDB-00130975-001\" LANG_ID=\"{LANG}\" LANG_LABEL=\"English (eng)\"/>\n  <CONSTRAINT DESCRIPTION=\"1-1 association with a parent annotation\" STEREOTYPE=\"Symbolic_Association\"/>\n  <CONTROLLED_VOCABULARY CV_ID=\"{}\">\n    <DESCRIPTION LANG_REF=\"{LANG}\">{}</DESCRIPTION>\n",
        attr(&export.scheme.name),
        attr(&export.scheme.name),
        escape(format!("{} (version {})", export.scheme.name, export.scheme.version))
    );
    for code in &export.scheme.codes {
        let _ = write!(
            out,
            "    <CV_ENTRY_ML CVE_ID=\"cve_{}\">\n      <CVE_VALUE DESCRIPTION=\"{}\" LANG_REF=\"{LANG}\">{}</CVE_VALUE>\n    </CV_ENTRY_ML>\n",
            attr(&code.code),
            attr(&code.label),
            escape(&code.code)
        );
    }
    out.push_str("  </CONTROLLED_VOCABULARY>\n</ANNOTATION_DOCUMENT>\n");
    out
}

/// What a file holds that maps to the scheme, and what does not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EafImport {
    /// Every annotation that maps, as an event, in time order.
    pub events: Vec<EventContent>,
    /// Tiers whose subject is not the baby or a caregiver on this recording.
    pub unmapped_tiers: Vec<String>,
    /// Values that are not a code in use in the scheme.
    pub unmapped_codes: Vec<String>,
    /// Modifiers the code does not offer.
    pub unmapped_modifiers: Vec<String>,
}

struct Annotation {
    id: String,
    /// Time slots, for an alignable annotation.
    slots: Option<(String, String)>,
    /// The annotation referred to, for a reference annotation.
    refers_to: Option<String>,
    value: String,
}

struct Tier {
    id: String,
    participant: String,
    parent: Option<String>,
    annotations: Vec<Annotation>,
}

fn refused(message: impl Into<String>) -> Problems {
    let mut problems = Problems::default();
    problems.push(Invalid::new("file", message));
    problems
}

fn attributes(element: &BytesStart) -> Result<HashMap<String, String>, Problems> {
    let mut found = HashMap::new();
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| refused(format!("The file is not well-formed XML: {e}")))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).to_string();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| refused(format!("The file is not well-formed XML: {e}")))?;
        found.insert(key, value.to_string());
    }
    Ok(found)
}

/// Reads the file's time slots, tiers and header properties.
#[allow(clippy::type_complexity)]
fn parse(
    text: &str,
) -> Result<
    (
        HashMap<String, Option<i128>>,
        Vec<Tier>,
        HashMap<String, String>,
    ),
    Problems,
> {
    let mut reader = Reader::from_str(text);
    let mut slots: HashMap<String, Option<i128>> = HashMap::new();
    let mut tiers: Vec<Tier> = Vec::new();
    let mut properties: HashMap<String, String> = HashMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut value = String::new();
    let mut property: Option<String> = None;
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| refused(format!("The file is not well-formed XML: {e}")))?;
        let (element, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(element) = element {
            let name = String::from_utf8_lossy(element.name().as_ref()).to_string();
            let found = attributes(&element)?;
            if !root_seen {
                if name != "ANNOTATION_DOCUMENT" {
                    return Err(refused(
                        "This is not an ELAN annotation file (EAF): it does not begin with ANNOTATION_DOCUMENT",
                    ));
                }
                root_seen = true;
            }
            match name.as_str() {
                "HEADER" => {
                    if let Some(units) = found.get("TIME_UNITS") {
                        if units != "milliseconds" {
                            return Err(refused(format!(
                                "The file's times are in “{units}”: only milliseconds are read"
                            )));
                        }
                    }
                }
                "PROPERTY" => property = found.get("NAME").cloned(),
                "TIME_SLOT" => {
                    let id = found.get("TIME_SLOT_ID").cloned().unwrap_or_default();
                    let time = match found.get("TIME_VALUE") {
                        None => None,
                        Some(v) => Some(v.trim().parse::<i128>().map_err(|_| {
                            refused(format!("Time slot {id} has the time “{v}”, which is not a number of milliseconds"))
                        })?),
                    };
                    slots.insert(id, time);
                }
                "TIER" => tiers.push(Tier {
                    id: found.get("TIER_ID").cloned().unwrap_or_default(),
                    participant: found.get("PARTICIPANT").cloned().unwrap_or_default(),
                    parent: found.get("PARENT_REF").cloned(),
                    annotations: Vec::new(),
                }),
                "ALIGNABLE_ANNOTATION" | "REF_ANNOTATION" => {
                    let Some(tier) = tiers.last_mut() else {
                        return Err(refused("An annotation stands outside any tier"));
                    };
                    let id = found.get("ANNOTATION_ID").cloned().unwrap_or_default();
                    let slots = if name == "ALIGNABLE_ANNOTATION" {
                        match (found.get("TIME_SLOT_REF1"), found.get("TIME_SLOT_REF2")) {
                            (Some(a), Some(b)) => Some((a.clone(), b.clone())),
                            _ => {
                                return Err(refused(format!(
                                    "Annotation {id} on tier “{}” does not name its start and end",
                                    tier.id
                                )))
                            }
                        }
                    } else {
                        None
                    };
                    tier.annotations.push(Annotation {
                        id,
                        slots,
                        refers_to: found.get("ANNOTATION_REF").cloned(),
                        value: String::new(),
                    });
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
                value.clear();
            } else if name == "PROPERTY" {
                property = None;
            }
            continue;
        }
        match event {
            Event::DocType(_) => {
                return Err(refused(
                    "The file declares a document type (DOCTYPE). ELAN files do not need one, and Cradle does not read files that do, so that no entity in it can reach outside the file or expand without end.",
                ))
            }
            Event::Text(t) => {
                let text = t
                    .xml_content(XmlVersion::Implicit1_0)
                    .map_err(|e| refused(format!("The file is not well-formed XML: {e}")))?;
                value.push_str(&text);
            }
            Event::CData(t) => {
                let text = t
                    .decode()
                    .map_err(|e| refused(format!("The file is not well-formed XML: {e}")))?;
                value.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().unwrap_or_default().to_string();
                        resolve_predefined_entity(&name)
                            .map(str::to_string)
                            .ok_or_else(|| {
                                refused(format!(
                                    "The file uses the entity “&{name};”, which XML does not define; it was not read"
                                ))
                            })?
                    }
                };
                value.push_str(&resolved);
            }
            Event::End(_) => {
                let closed = stack.pop().unwrap_or_default();
                match closed.as_str() {
                    "ANNOTATION_VALUE" => {
                        if let Some(last) = tiers.last_mut().and_then(|t| t.annotations.last_mut())
                        {
                            last.value = value.trim().to_string();
                        }
                    }
                    "PROPERTY" => {
                        if let Some(name) = property.take() {
                            properties.insert(name, value.trim().to_string());
                        }
                    }
                    _ => {}
                }
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(refused("The file is empty"));
    }
    Ok((slots, tiers, properties))
}

/// Reads an EAF file as events of `scheme` on `recording` (whose babies are `babies` and
/// whose people have the names in `subjects`).
pub fn read_eaf(
    text: &str,
    scheme: &CodingScheme,
    recording: &Recording,
    babies: &[BabyId],
    subjects: &[NamedSubject],
) -> Result<EafImport, Problems> {
    let (slots, tiers, properties) = parse(text)?;
    let length = recording.media.as_ref().map_or(0, |m| m.duration_millis);
    let time_of = |tier: &Tier, annotation: &Annotation, slot: &str| -> Result<u64, Problems> {
        match slots.get(slot) {
            None => Err(refused(format!(
                "Annotation {} on tier “{}” refers to the time slot {slot}, which is not in the file",
                annotation.id, tier.id
            ))),
            Some(None) => Err(refused(format!(
                "Annotation {} on tier “{}” has no time: its time slot {slot} is not aligned",
                annotation.id, tier.id
            ))),
            Some(Some(t)) if *t < 0 => Err(refused(format!(
                "Annotation {} on tier “{}” has a negative time ({t} ms)",
                annotation.id, tier.id
            ))),
            Some(Some(t)) => u64::try_from(*t).map_err(|_| {
                refused(format!("Annotation {} has a time out of range", annotation.id))
            }),
        }
    };
    let mut import = EafImport::default();
    let all_ids: Vec<&str> = tiers
        .iter()
        .flat_map(|t| t.annotations.iter().map(|a| a.id.as_str()))
        .collect();
    // Notes and modifiers, by the annotation they belong to.
    let mut notes: HashMap<&str, String> = HashMap::new();
    let mut modifiers: HashMap<&str, Vec<String>> = HashMap::new();
    for tier in &tiers {
        if let Some(parent) = &tier.parent {
            if !tiers.iter().any(|t| &t.id == parent) {
                return Err(refused(format!(
                    "Tier “{}” depends on the tier “{parent}”, which is not in the file",
                    tier.id
                )));
            }
        }
        for annotation in &tier.annotations {
            let Some(target) = annotation.refers_to.as_deref() else {
                continue;
            };
            if !all_ids.contains(&target) {
                return Err(refused(format!(
                    "Annotation {} on tier “{}” refers to the annotation {target}, which is not in the file",
                    annotation.id, tier.id
                )));
            }
            if tier.id.ends_with(": modifiers") {
                modifiers.entry(target).or_default().extend(
                    annotation
                        .value
                        .split(';')
                        .map(|m| m.trim().to_string())
                        .filter(|m| !m.is_empty()),
                );
            } else {
                notes.insert(target, annotation.value.clone());
            }
        }
    }
    for tier in tiers.iter().filter(|t| t.parent.is_none()) {
        let subject = properties
            .get(&format!("{TIER_PROPERTY}{}", tier.id))
            .and_then(|code| Subject::parse(code))
            .or_else(|| {
                let prefix = tier.id.split(':').next().unwrap_or_default().trim();
                subjects
                    .iter()
                    .find(|s| {
                        s.name.eq_ignore_ascii_case(tier.participant.trim())
                            || s.name.eq_ignore_ascii_case(prefix)
                    })
                    .map(|s| s.subject)
            });
        let on_film = subject.is_some_and(|s| match s {
            Subject::Baby(baby) => babies.contains(&baby),
            Subject::Caregiver(member) => recording.on_film.contains(&member),
        });
        let mut spans: Vec<(u64, u64, &str)> = Vec::new();
        let mut mapped: Vec<EventContent> = Vec::new();
        for annotation in &tier.annotations {
            let Some((first, second)) = &annotation.slots else {
                continue;
            };
            let start = time_of(tier, annotation, first)?;
            let end = time_of(tier, annotation, second)?;
            if end < start {
                return Err(refused(format!(
                    "Annotation {} on tier “{}” ends ({end} ms) before it starts ({start} ms)",
                    annotation.id, tier.id
                )));
            }
            if let Some((_, _, other)) = spans.iter().find(|(s, e, _)| start < *e && *s < end) {
                return Err(refused(format!(
                    "Annotations {other} and {} on tier “{}” overlap, which ELAN does not allow on one tier",
                    annotation.id, tier.id
                )));
            }
            spans.push((start, end, annotation.id.as_str()));
            if start > length || end > length {
                return Err(refused(format!(
                    "Annotation {} on tier “{}” runs past the end of the film",
                    annotation.id, tier.id
                )));
            }
            let Some(subject) = subject.filter(|_| on_film) else {
                continue;
            };
            let Some(code) = scheme.codes_in_use().find(|c| c.code == annotation.value) else {
                if !import.unmapped_codes.contains(&annotation.value) {
                    import.unmapped_codes.push(annotation.value.clone());
                }
                continue;
            };
            let (known, unknown): (Vec<String>, Vec<String>) = modifiers
                .get(annotation.id.as_str())
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .partition(|m| code.modifiers.iter().any(|k| k.eq_ignore_ascii_case(m)));
            for m in unknown {
                if !import.unmapped_modifiers.contains(&m) {
                    import.unmapped_modifiers.push(m);
                }
            }
            let input = EventInput {
                code: code.code.clone(),
                subject: subject.code(),
                start_millis: Some(start),
                end_millis: (code.kind == EventKind::State).then_some(end),
                modifiers: known,
                note: notes
                    .get(annotation.id.as_str())
                    .cloned()
                    .unwrap_or_default(),
            };
            let content = input.parse(scheme, recording, babies).map_err(|problems| {
                let why: Vec<String> = problems.0.into_iter().map(|p| p.message).collect();
                refused(format!(
                    "Annotation {} on tier “{}”: {}",
                    annotation.id,
                    tier.id,
                    why.join("; ")
                ))
            })?;
            mapped.push(content);
        }
        if !on_film && !tier.annotations.is_empty() {
            import.unmapped_tiers.push(tier.id.clone());
        }
        import.events.extend(mapped);
    }
    import
        .events
        .sort_by(|a, b| (a.start_millis, &a.code).cmp(&(b.start_millis, &b.code)));
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded_events::tests::film_of;
    use crate::coding::starting_schemes;
    use crate::entries::Member;
    use crate::ids::PersonId;

    struct Fixture {
        scheme: CodingScheme,
        recording: Recording,
        babies: Vec<BabyId>,
        subjects: Vec<NamedSubject>,
        events: Vec<CodedEvent>,
    }

    fn fixture() -> Fixture {
        let scheme = starting_schemes(0).remove(0);
        let father = Member::Person(PersonId::new());
        let recording = film_of(60, vec![father]);
        let baby = BabyId::new();
        let subjects = vec![
            NamedSubject {
                subject: Subject::Baby(baby),
                name: "Ada Okafor".into(),
            },
            NamedSubject {
                subject: Subject::Caregiver(father),
                name: "Tunde Okafor".into(),
            },
        ];
        let coded = |code: &str,
                     subject: Subject,
                     start: u64,
                     end: Option<u64>,
                     note: &str,
                     modifiers: &[&str]| {
            let content = EventInput {
                code: code.into(),
                subject: subject.code(),
                start_millis: Some(start),
                end_millis: end,
                modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
                note: note.into(),
            }
            .parse(&scheme, &recording, &[baby])
            .unwrap();
            CodedEvent {
                id: uuid::Uuid::now_v7(),
                recording_id: recording.id,
                scheme_id: scheme.id,
                scheme_version: scheme.version,
                content,
                removed: false,
                coder: "Priya Shah".into(),
                coder_id: uuid::Uuid::now_v7(),
                coded_at_millis: 0,
                version: 1,
                earlier: vec![],
            }
        };
        let events = vec![
            coded(
                "smile",
                Subject::Baby(baby),
                12_400,
                None,
                "A big smile & a coo <3",
                &["at the caregiver"],
            ),
            coded(
                "mutual_gaze",
                Subject::Caregiver(father),
                10_000,
                Some(14_500),
                "",
                &[],
            ),
            coded(
                "turn_taking",
                Subject::Caregiver(father),
                20_000,
                Some(31_250),
                "Three turns each",
                &[],
            ),
            coded("smile", Subject::Baby(baby), 25_000, None, "", &[]),
        ];
        Fixture {
            scheme,
            recording,
            babies: vec![baby],
            subjects,
            events,
        }
    }

    fn written(f: &Fixture) -> String {
        write_eaf(&EafExport {
            scheme: &f.scheme,
            events: f.events.iter().collect(),
            subjects: &f.subjects,
            coder: "Priya Shah",
            media_name: "IMG_0107.MP4",
            media_type: "video/mp4",
            written_at: "2026-12-08T10:00:00+00:00",
        })
    }

    fn read(f: &Fixture, text: &str) -> Result<EafImport, String> {
        read_eaf(text, &f.scheme, &f.recording, &f.babies, &f.subjects).map_err(|p| {
            p.0.into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" | ")
        })
    }

    #[test]
    fn a_coding_written_as_eaf_reads_back_unchanged() {
        let f = fixture();
        let eaf = written(&f);
        if std::env::var_os("CRADLE_PRINT_EAF").is_some() {
            println!("{eaf}");
        }
        assert!(eaf.contains("TIME_UNITS=\"milliseconds\""));
        assert!(
            eaf.contains("TIER_ID=\"Ada Okafor: Smiles\" PARTICIPANT=\"Ada Okafor\""),
            "{eaf}"
        );
        assert!(eaf.contains("TIER_ID=\"Tunde Okafor: Mutual gaze\""));
        assert!(eaf.contains("<CV_ENTRY_ML CVE_ID=\"cve_smile\">"));
        assert!(eaf.contains("TIME_VALUE=\"31250\""));
        assert!(
            eaf.contains("A big smile &amp; a coo &lt;3"),
            "text is escaped"
        );
        let back = read(&f, &eaf).unwrap();
        let mut expected: Vec<EventContent> = f.events.iter().map(|e| e.content.clone()).collect();
        expected.sort_by(|a, b| (a.start_millis, &a.code).cmp(&(b.start_millis, &b.code)));
        assert_eq!(back.events, expected);
        assert!(back.unmapped_codes.is_empty() && back.unmapped_tiers.is_empty());
    }

    /// A file as ELAN writes it: no Cradle properties, tiers named by the participant, a
    /// moment with a duration, a code and a tier Cradle does not know.
    #[test]
    fn a_file_from_elan_maps_its_tiers_by_name_and_reports_what_does_not_map() {
        let f = fixture();
        let eaf = r#"<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-12-01T09:00:00+00:00" FORMAT="3.0" VERSION="3.0">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
  <TIME_ORDER>
    <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="1000"/>
    <TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="1400"/>
    <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="5000"/>
    <TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="6000"/>
  </TIME_ORDER>
  <TIER TIER_ID="Baby" PARTICIPANT="Ada Okafor" LINGUISTIC_TYPE_REF="default-lt">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
      <ANNOTATION_VALUE>smile</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
      <ANNOTATION_VALUE>yawn</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <TIER TIER_ID="Grandmother" PARTICIPANT="Nana" LINGUISTIC_TYPE_REF="default-lt">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
      <ANNOTATION_VALUE>soothes</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>"#;
        let found = read(&f, eaf).unwrap();
        assert_eq!(found.events.len(), 1);
        assert_eq!(
            (found.events[0].code.as_str(), found.events[0].start_millis),
            ("smile", 1000)
        );
        assert_eq!(found.events[0].end_millis, None, "a moment keeps its start");
        assert_eq!(found.unmapped_codes, ["yawn"]);
        assert_eq!(found.unmapped_tiers, ["Grandmother"]);
    }

    #[test]
    fn a_broken_or_hostile_file_is_refused_whole_with_the_reason() {
        let f = fixture();
        let good = written(&f);
        let cases = [
            (
                good.replacen("TIME_VALUE=\"10000\"", "TIME_VALUE=\"-10000\"", 1),
                "negative time",
            ),
            (
                good.replacen("TIME_VALUE=\"14500\"", "TIME_VALUE=\"9000\"", 1),
                "ends (9000 ms) before it starts (10000 ms)",
            ),
            (
                good.replacen("TIME_SLOT_REF1=\"ts1\"", "TIME_SLOT_REF1=\"ts99\"", 1),
                "refers to the time slot ts99, which is not in the file",
            ),
            (
                good.replacen("ANNOTATION_REF=\"a1\"", "ANNOTATION_REF=\"a404\"", 1),
                "refers to the annotation a404, which is not in the file",
            ),
            (
                // The second smile moved inside a state of its own tier: now two smiles at
                // 12.4 s and 25 s become one from 12.4 s to 30 s and another at 25 s.
                good.replacen("TIME_VALUE=\"12400\"/>\n    <TIME_SLOT TIME_SLOT_ID=\"ts2\" TIME_VALUE=\"12400\"", "TIME_VALUE=\"12400\"/>\n    <TIME_SLOT TIME_SLOT_ID=\"ts2\" TIME_VALUE=\"30000\"", 1),
                "overlap",
            ),
            (good.replacen("<TIER ", "<TIER><", 1), "not well-formed XML"),
            ("<html><body>Not ELAN</body></html>".to_string(), "not an ELAN annotation file"),
            (
                good.replacen("milliseconds", "PAL-frames", 1),
                "only milliseconds are read",
            ),
            (
                good.replacen(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                    "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n",
                    1,
                )
                .replacen("Three turns each", "&x;", 1),
                "declares a document type",
            ),
            (
                good.replacen(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                    "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n",
                    1,
                )
                .replacen("Three turns each", "&c;", 1),
                "declares a document type",
            ),
            (good.replacen("Three turns each", "&x;", 1), "“&x;”, which XML does not define"),
        ];
        for (text, why) in cases {
            let refused = read(&f, &text).unwrap_err();
            assert!(refused.contains(why), "{why}: {refused}");
        }
    }
}
