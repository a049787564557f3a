//! A recording's sealed form, as it rests in storage.
//!
//! A header (`CRDLREC1` and the recording's id), then the recording in chunks of [`CHUNK`]
//! bytes (the last shorter; a single empty chunk for an empty recording), each sealed with
//! AES-256-GCM under the recording's own key and followed by its 16-byte tag. A chunk's
//! nonce is its number, which never repeats under one key; what it is checked against (its
//! additional data) is the recording's id, its number and whether it is the last. So any
//! chunk opens alone (a byte range needs only the chunks it touches), and a changed byte, a
//! chunk moved or taken from another recording, or a recording cut short at a chunk's edge
//! (the new last chunk was not sealed as the last) each fail the check.

use crate::keys::DataKey;
use crate::MediaError;
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, NONCE_LEN};
use uuid::Uuid;

/// Bytes of the recording in each sealed chunk (the last may hold fewer).
pub const CHUNK: usize = 64 * 1024;
/// Bytes of the check that follows each chunk.
pub const TAG: usize = 16;
/// Bytes of the header before the first chunk.
pub const HEADER: usize = 24;
const MAGIC: &[u8; 8] = b"CRDLREC1";

/// The header that begins the sealed form of `recording`.
pub fn header(recording: Uuid) -> [u8; HEADER] {
    let mut header = [0u8; HEADER];
    header[..8].copy_from_slice(MAGIC);
    header[8..].copy_from_slice(recording.as_bytes());
    header
}

/// How many chunks a recording of `length` bytes is sealed in.
pub fn chunks(length: u64) -> u64 {
    length.div_ceil(CHUNK as u64).max(1)
}

/// The size of the sealed form of a recording of `length` bytes.
pub fn sealed_len(length: u64) -> u64 {
    HEADER as u64 + length + chunks(length) * TAG as u64
}

fn nonce(index: u64) -> Nonce {
    let mut bytes = [0u8; NONCE_LEN];
    bytes[NONCE_LEN - 8..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(bytes)
}

fn aad(recording: Uuid, index: u64, last: bool) -> [u8; 25] {
    let mut aad = [0u8; 25];
    aad[..16].copy_from_slice(recording.as_bytes());
    aad[16..24].copy_from_slice(&index.to_be_bytes());
    aad[24] = u8::from(last);
    aad
}

/// Seals a recording as its bytes arrive, in order, holding at most one chunk of it.
pub struct Sealer {
    key: LessSafeKey,
    recording: Uuid,
    next: u64,
    pending: Vec<u8>,
    length: u64,
}

impl Sealer {
    /// A sealer for `recording` under its key. Its sealed form begins with [`header`].
    pub fn new(key: &DataKey, recording: Uuid) -> Result<Self, MediaError> {
        Ok(Self {
            key: key.aead()?,
            recording,
            next: 0,
            pending: Vec::with_capacity(CHUNK),
            length: 0,
        })
    }

    fn seal(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), MediaError> {
        let start = out.len();
        out.extend_from_slice(plain);
        let tag: Tag = self
            .key
            .seal_in_place_separate_tag(
                nonce(self.next),
                Aad::from(aad(self.recording, self.next, last)),
                out.get_mut(start..).unwrap_or_default(),
            )
            .map_err(|_| MediaError::Tampered)?;
        out.extend_from_slice(tag.as_ref());
        self.next += 1;
        Ok(())
    }

    /// Takes the next bytes of the recording; appends to `out` every chunk now known not to
    /// be the last. A full chunk waits until more arrives or [`Sealer::finish`], since only
    /// then is it known whether it is the last.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) -> Result<(), MediaError> {
        self.length += bytes.len() as u64;
        loop {
            if self.pending.is_empty() && bytes.len() > CHUNK {
                let (chunk, rest) = bytes.split_at(CHUNK);
                self.seal(chunk, false, out)?;
                bytes = rest;
                continue;
            }
            let room = CHUNK - self.pending.len();
            if bytes.len() <= room {
                self.pending.extend_from_slice(bytes);
                return Ok(());
            }
            let (fill, rest) = bytes.split_at(room);
            self.pending.extend_from_slice(fill);
            let pending = std::mem::take(&mut self.pending);
            self.seal(&pending, false, out)?;
            self.pending = pending;
            self.pending.clear();
            bytes = rest;
        }
    }

    /// Seals the last chunk into `out`; answers the recording's length.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<u64, MediaError> {
        let pending = std::mem::take(&mut self.pending);
        self.seal(&pending, true, out)?;
        Ok(self.length)
    }
}

/// Where the chunks holding a range of the recording lie in its sealed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The number of the first chunk.
    pub first: u64,
    /// The sealed bytes to read (from the start of the sealed form, header included).
    pub sealed: std::ops::Range<u64>,
    /// Bytes of the first chunk's plain text before the range starts.
    pub skip: usize,
    /// Bytes of the range.
    pub take: u64,
}

/// Opens a recording of a known length, any range of it alone.
pub struct Opener {
    key: LessSafeKey,
    recording: Uuid,
    length: u64,
}

impl Opener {
    /// An opener for `recording`, `length` bytes long, under its key.
    pub fn new(key: &DataKey, recording: Uuid, length: u64) -> Result<Self, MediaError> {
        Ok(Self {
            key: key.aead()?,
            recording,
            length,
        })
    }

    /// Checks the sealed form's header is this recording's.
    pub fn check_header(&self, header: &[u8]) -> Result<(), MediaError> {
        if header == self::header(self.recording) {
            Ok(())
        } else {
            Err(MediaError::Tampered)
        }
    }

    /// Where bytes `start..end` of the recording lie in its sealed form.
    pub fn span(&self, start: u64, end: u64) -> Result<Span, MediaError> {
        if start >= end || end > self.length {
            return Err(MediaError::OutOfRange {
                start,
                end,
                length: self.length,
            });
        }
        let chunk = CHUNK as u64;
        let sealed_chunk = chunk + TAG as u64;
        let first = start / chunk;
        let last = (end - 1) / chunk;
        let from = HEADER as u64 + first * sealed_chunk;
        let to = (HEADER as u64 + (last + 1) * sealed_chunk).min(sealed_len(self.length));
        Ok(Span {
            first,
            sealed: from..to,
            skip: (start - first * chunk) as usize,
            take: end - start,
        })
    }

    /// Opens chunk `index` from its sealed bytes, in place; answers its plain text.
    pub fn open_chunk<'a>(
        &self,
        index: u64,
        sealed: &'a mut [u8],
    ) -> Result<&'a mut [u8], MediaError> {
        let chunks = chunks(self.length);
        let last = index + 1 == chunks;
        let expected = if last {
            (self.length - index * CHUNK as u64) as usize + TAG
        } else {
            CHUNK + TAG
        };
        if index >= chunks || sealed.len() != expected {
            return Err(MediaError::Tampered);
        }
        self.key
            .open_in_place(
                nonce(index),
                Aad::from(aad(self.recording, index, last)),
                sealed,
            )
            .map(|plain| &mut plain[..])
            .map_err(|_| MediaError::Tampered)
    }

    /// The range `span` describes, from the sealed bytes it names, or nothing if any of
    /// its chunks fails its check.
    pub fn open_span(&self, span: &Span, sealed: &mut [u8]) -> Result<Vec<u8>, MediaError> {
        let mut out = Vec::with_capacity(span.take as usize);
        let mut index = span.first;
        let mut skip = span.skip;
        let mut rest = sealed;
        while (out.len() as u64) < span.take {
            let size = (CHUNK + TAG).min(rest.len());
            let (chunk, after) = rest.split_at_mut(size);
            let plain = self.open_chunk(index, chunk)?;
            let wanted = (span.take - out.len() as u64) as usize;
            let piece = plain.get(skip..).unwrap_or_default();
            out.extend_from_slice(&piece[..wanted.min(piece.len())]);
            skip = 0;
            index += 1;
            rest = after;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keyring;
    use proptest::prelude::*;

    fn keyring() -> Keyring {
        Keyring::parse(&Keyring::new_master_entry("test").unwrap()).unwrap()
    }

    fn recording_of(length: usize) -> Vec<u8> {
        (0..length).map(|i| (i * 31 % 251) as u8).collect()
    }

    /// The sealed form of `plain`, pushed in pieces of `piece` bytes.
    fn sealed_form(key: &DataKey, recording: Uuid, plain: &[u8], piece: usize) -> Vec<u8> {
        let mut sealer = Sealer::new(key, recording).unwrap();
        let mut out = header(recording).to_vec();
        for part in plain.chunks(piece.max(1)) {
            sealer.push(part, &mut out).unwrap();
        }
        assert_eq!(sealer.finish(&mut out).unwrap(), plain.len() as u64);
        out
    }

    fn read(opener: &Opener, sealed: &[u8], start: u64, end: u64) -> Result<Vec<u8>, MediaError> {
        let span = opener.span(start, end)?;
        let mut bytes = sealed
            .get(span.sealed.start as usize..span.sealed.end as usize)
            .ok_or(MediaError::Tampered)?
            .to_vec();
        opener.open_span(&span, &mut bytes)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn any_range_of_a_sealed_recording_opens_alone_to_the_same_bytes(
            length in prop_oneof![0usize..10, CHUNK - 2..CHUNK + 2, 2 * CHUNK - 1..2 * CHUNK + 1, 1usize..300_000],
            piece in 1usize..100_000,
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let ring = keyring();
            let recording = Uuid::now_v7();
            let (key, _) = ring.new_data_key(recording).unwrap();
            let plain = recording_of(length);
            let sealed = sealed_form(&key, recording, &plain, piece);
            prop_assert_eq!(sealed.len() as u64, sealed_len(length as u64));
            // Nothing of the recording shows through in its sealed form.
            if length >= 64 {
                let marker = &plain[length / 2 - 16..length / 2 + 16];
                prop_assert!(!sealed.windows(marker.len()).any(|w| w == marker));
            }
            let opener = Opener::new(&key, recording, length as u64).unwrap();
            opener.check_header(&sealed[..HEADER]).unwrap();
            if length > 0 {
                let start = a % length as u64;
                let end = start + 1 + b % (length as u64 - start);
                prop_assert_eq!(read(&opener, &sealed, start, end).unwrap(), &plain[start as usize..end as usize]);
                prop_assert_eq!(read(&opener, &sealed, 0, length as u64).unwrap(), plain);
            }
        }

        #[test]
        fn a_flipped_byte_anywhere_in_a_chunk_is_detected(at in any::<usize>(), bit in 0u8..8) {
            let ring = keyring();
            let recording = Uuid::now_v7();
            let (key, _) = ring.new_data_key(recording).unwrap();
            let plain = recording_of(3 * CHUNK + 500);
            let mut sealed = sealed_form(&key, recording, &plain, 10_000);
            let at = HEADER + at % (sealed.len() - HEADER);
            sealed[at] ^= 1 << bit;
            let opener = Opener::new(&key, recording, plain.len() as u64).unwrap();
            let chunk = ((at - HEADER) / (CHUNK + TAG)) as u64;
            let start = chunk * CHUNK as u64;
            let end = (start + 1).min(plain.len() as u64);
            prop_assert_eq!(read(&opener, &sealed, start, end), Err(MediaError::Tampered));
        }
    }

    #[test]
    fn a_recording_cut_short_reordered_or_taken_from_another_is_detected() {
        let ring = keyring();
        let recording = Uuid::now_v7();
        let (key, _) = ring.new_data_key(recording).unwrap();
        let plain = recording_of(3 * CHUNK);
        let sealed = sealed_form(&key, recording, &plain, CHUNK);
        let whole = Opener::new(&key, recording, plain.len() as u64).unwrap();
        assert_eq!(read(&whole, &sealed, 0, plain.len() as u64).unwrap(), plain);

        // Cut short at a chunk's edge, with a length to match: the new last chunk was not
        // sealed as the last.
        let cut = &sealed[..HEADER + 2 * (CHUNK + TAG)];
        let shorter = Opener::new(&key, recording, 2 * CHUNK as u64).unwrap();
        assert_eq!(
            read(&shorter, cut, CHUNK as u64, 2 * CHUNK as u64),
            Err(MediaError::Tampered)
        );
        // Cut short against the length kept with it: the last chunk is missing.
        assert_eq!(
            read(&whole, cut, 2 * CHUNK as u64, 3 * CHUNK as u64),
            Err(MediaError::Tampered)
        );

        // Two chunks swapped.
        let mut swapped = sealed.clone();
        let size = CHUNK + TAG;
        let (first, second) = (HEADER..HEADER + size, HEADER + size..HEADER + 2 * size);
        let copy = swapped[first.clone()].to_vec();
        swapped.copy_within(second.clone(), first.start);
        swapped[second].copy_from_slice(&copy);
        assert_eq!(read(&whole, &swapped, 0, 10), Err(MediaError::Tampered));

        // Another recording's sealed bytes, under this recording's header and key.
        let other = Uuid::now_v7();
        let theirs = sealed_form(&key, other, &plain, 50_000);
        assert_eq!(
            whole.check_header(&theirs[..HEADER]),
            Err(MediaError::Tampered)
        );
        assert_eq!(read(&whole, &theirs, 0, 10), Err(MediaError::Tampered));

        // Another recording's key opens nothing of this one.
        let (their_key, _) = ring.new_data_key(other).unwrap();
        let wrong = Opener::new(&their_key, recording, plain.len() as u64).unwrap();
        assert_eq!(read(&wrong, &sealed, 0, 10), Err(MediaError::Tampered));

        // A range outside the recording is refused as such.
        assert_eq!(
            whole.span(0, plain.len() as u64 + 1),
            Err(MediaError::OutOfRange {
                start: 0,
                end: plain.len() as u64 + 1,
                length: plain.len() as u64
            })
        );
    }
}
