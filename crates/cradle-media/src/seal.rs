//! A recording's sealed form: its chunks.
//!
//! The recording is cut into chunks of [`CHUNK`] bytes (the last shorter; one empty chunk for
//! an empty recording), each sealed with AES-256-GCM under the recording's own key and
//! followed by its 16-byte tag. A chunk's nonce is a salt of 8 random bytes, chosen afresh
//! each time a part of the recording is written (see `films.rs`), then the chunk's number;
//! what it is checked against (its additional data) is the recording's id, its number and
//! whether it is the last. So any chunk opens alone (a byte range needs only the chunks it
//! touches), a chunk sealed again is never sealed under a nonce used before, and a changed
//! byte, a chunk moved or taken from another recording, or a recording cut short at a
//! chunk's edge (the new last chunk was not sealed as the last) each fail the check.

use crate::keys::DataKey;
use crate::MediaError;
use ring::aead::{Aad, LessSafeKey, Nonce, NONCE_LEN};
use uuid::Uuid;

/// Bytes of the recording in each sealed chunk (the last may hold fewer).
pub const CHUNK: usize = 64 * 1024;
/// Bytes of the check that follows each chunk.
pub const TAG: usize = 16;
/// Bytes of a full chunk once sealed.
pub const SEALED_CHUNK: usize = CHUNK + TAG;
/// Bytes of the salt in each chunk's nonce (the other 4 are the chunk's number).
pub const SALT: usize = 8;

/// How many chunks a recording of `length` bytes is sealed in.
pub fn chunks(length: u64) -> u64 {
    length.div_ceil(CHUNK as u64).max(1)
}

/// Bytes of the recording in chunk `index` of a recording of `length` bytes.
pub fn chunk_len(length: u64, index: u64) -> usize {
    let start = index * CHUNK as u64;
    (length.saturating_sub(start)).min(CHUNK as u64) as usize
}

/// The nonce of chunk `index` under `salt`. A recording has at most 2^32 chunks (256 TiB),
/// far beyond the largest accepted, so the number fits its 4 bytes; were it not to, the
/// chunk is refused rather than a nonce repeated.
fn nonce(salt: [u8; SALT], index: u64) -> Result<Nonce, MediaError> {
    let number = u32::try_from(index).map_err(|_| MediaError::OutOfRange {
        start: index.saturating_mul(CHUNK as u64),
        end: index.saturating_mul(CHUNK as u64),
        length: index.saturating_mul(CHUNK as u64),
    })?;
    let mut bytes = [0u8; NONCE_LEN];
    bytes[..SALT].copy_from_slice(&salt);
    bytes[SALT..].copy_from_slice(&number.to_be_bytes());
    Ok(Nonce::assume_unique_for_key(bytes))
}

/// What the sealed bytes are of a recording: its film, or the poster frame taken from it.
/// Each is bound to its own use, so one can never be opened as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sealed {
    Film,
    Poster,
}

fn aad(recording: Uuid, index: u64, last: bool, of: Sealed) -> Vec<u8> {
    let mut aad = Vec::with_capacity(26);
    aad.extend_from_slice(recording.as_bytes());
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    if of == Sealed::Poster {
        aad.push(b'P');
    }
    aad
}

/// Seals and opens the chunks of one recording of a known length.
pub struct Chunks {
    key: LessSafeKey,
    recording: Uuid,
    length: u64,
    of: Sealed,
}

impl Chunks {
    /// The chunks of `recording`, `length` bytes long, under its key.
    pub fn new(key: &DataKey, recording: Uuid, length: u64) -> Result<Self, MediaError> {
        Ok(Self {
            key: key.aead()?,
            recording,
            length,
            of: Sealed::Film,
        })
    }

    /// The chunks of `recording`'s poster frame, `length` bytes long, under the recording's
    /// key but bound to their use: a poster's chunks never open as the film's.
    pub fn of_poster(key: &DataKey, recording: Uuid, length: u64) -> Result<Self, MediaError> {
        Ok(Self {
            of: Sealed::Poster,
            ..Self::new(key, recording, length)?
        })
    }

    /// The recording's length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    fn is_last(&self, index: u64) -> bool {
        index + 1 == chunks(self.length)
    }

    /// Seals chunk `index` (`plain`, which must be the whole chunk) under `salt`, appending it
    /// with its tag to `out`.
    pub fn seal(
        &self,
        salt: [u8; SALT],
        index: u64,
        plain: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), MediaError> {
        if index >= chunks(self.length) || plain.len() != chunk_len(self.length, index) {
            return Err(MediaError::OutOfRange {
                start: index * CHUNK as u64,
                end: index * CHUNK as u64 + plain.len() as u64,
                length: self.length,
            });
        }
        let start = out.len();
        out.extend_from_slice(plain);
        let tag = self
            .key
            .seal_in_place_separate_tag(
                nonce(salt, index)?,
                Aad::from(aad(self.recording, index, self.is_last(index), self.of)),
                out.get_mut(start..).unwrap_or_default(),
            )
            .map_err(|_| MediaError::Tampered)?;
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Opens chunk `index`, sealed under `salt`, in place; answers its plain text.
    pub fn open<'a>(
        &self,
        salt: [u8; SALT],
        index: u64,
        sealed: &'a mut [u8],
    ) -> Result<&'a mut [u8], MediaError> {
        if index >= chunks(self.length) || sealed.len() != chunk_len(self.length, index) + TAG {
            return Err(MediaError::Tampered);
        }
        self.key
            .open_in_place(
                nonce(salt, index)?,
                Aad::from(aad(self.recording, index, self.is_last(index), self.of)),
                sealed,
            )
            .map(|plain| &mut plain[..])
            .map_err(|_| MediaError::Tampered)
    }

    /// The chunks holding bytes `start..end` of the recording: (first, last), inclusive.
    pub fn covering(&self, start: u64, end: u64) -> Result<(u64, u64), MediaError> {
        if start >= end || end > self.length {
            return Err(MediaError::OutOfRange {
                start,
                end,
                length: self.length,
            });
        }
        Ok((start / CHUNK as u64, (end - 1) / CHUNK as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keyring;
    use proptest::prelude::*;

    const SALT_A: [u8; SALT] = [1, 2, 3, 4, 5, 6, 7, 8];

    fn keyring() -> Keyring {
        Keyring::parse(&Keyring::new_master_entry("test").unwrap()).unwrap()
    }

    fn recording_of(length: usize) -> Vec<u8> {
        (0..length).map(|i| (i * 31 % 251) as u8).collect()
    }

    /// Every chunk of `plain`, sealed one after another.
    fn sealed_form(chunks: &Chunks, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for index in 0..super::chunks(plain.len() as u64) {
            let start = index as usize * CHUNK;
            let piece = &plain[start..start + chunk_len(plain.len() as u64, index)];
            chunks.seal(SALT_A, index, piece, &mut out).unwrap();
        }
        out
    }

    /// Bytes `start..end`, opened from the chunks that hold them.
    fn read(chunks: &Chunks, sealed: &[u8], start: u64, end: u64) -> Result<Vec<u8>, MediaError> {
        let (first, last) = chunks.covering(start, end)?;
        let mut out = Vec::new();
        for index in first..=last {
            let from = index as usize * SEALED_CHUNK;
            let to = (from + SEALED_CHUNK).min(sealed.len());
            let mut bytes = sealed.get(from..to).ok_or(MediaError::Tampered)?.to_vec();
            let plain = chunks.open(SALT_A, index, &mut bytes)?;
            let chunk_start = index * CHUNK as u64;
            let skip = start.saturating_sub(chunk_start) as usize;
            let take = (end - chunk_start).min(plain.len() as u64) as usize;
            out.extend_from_slice(&plain[skip..take]);
        }
        Ok(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn any_range_of_a_sealed_recording_opens_alone_to_the_same_bytes(
            length in prop_oneof![1usize..10, CHUNK - 2..CHUNK + 2, 2 * CHUNK - 1..2 * CHUNK + 1, 1usize..300_000],
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let recording = Uuid::now_v7();
            let (key, _) = keyring().new_data_key(recording).unwrap();
            let plain = recording_of(length);
            let chunks = Chunks::new(&key, recording, length as u64).unwrap();
            let sealed = sealed_form(&chunks, &plain);
            prop_assert_eq!(sealed.len(), length + super::chunks(length as u64) as usize * TAG);
            // Nothing of the recording shows through in its sealed form.
            if length >= 64 {
                let marker = &plain[length / 2 - 16..length / 2 + 16];
                prop_assert!(!sealed.windows(marker.len()).any(|w| w == marker));
            }
            let start = a % length as u64;
            let end = start + 1 + b % (length as u64 - start);
            prop_assert_eq!(read(&chunks, &sealed, start, end).unwrap(), &plain[start as usize..end as usize]);
            prop_assert_eq!(read(&chunks, &sealed, 0, length as u64).unwrap(), plain);
        }

        #[test]
        fn a_flipped_byte_anywhere_in_a_chunk_is_detected(at in any::<usize>(), bit in 0u8..8) {
            let recording = Uuid::now_v7();
            let (key, _) = keyring().new_data_key(recording).unwrap();
            let plain = recording_of(3 * CHUNK + 500);
            let chunks = Chunks::new(&key, recording, plain.len() as u64).unwrap();
            let mut sealed = sealed_form(&chunks, &plain);
            let at = at % sealed.len();
            sealed[at] ^= 1 << bit;
            let chunk = (at / SEALED_CHUNK) as u64;
            let start = chunk * CHUNK as u64;
            prop_assert_eq!(read(&chunks, &sealed, start, start + 1), Err(MediaError::Tampered));
        }
    }

    #[test]
    fn a_recording_cut_short_reordered_or_taken_from_another_is_detected() {
        let ring = keyring();
        let recording = Uuid::now_v7();
        let (key, _) = ring.new_data_key(recording).unwrap();
        let plain = recording_of(3 * CHUNK);
        let whole = Chunks::new(&key, recording, plain.len() as u64).unwrap();
        let sealed = sealed_form(&whole, &plain);
        assert_eq!(read(&whole, &sealed, 0, plain.len() as u64).unwrap(), plain);

        // Cut short at a chunk's edge, with a length to match: the new last chunk was not
        // sealed as the last.
        let cut = &sealed[..2 * SEALED_CHUNK];
        let shorter = Chunks::new(&key, recording, 2 * CHUNK as u64).unwrap();
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
        let copy = swapped[..SEALED_CHUNK].to_vec();
        swapped.copy_within(SEALED_CHUNK..2 * SEALED_CHUNK, 0);
        swapped[SEALED_CHUNK..2 * SEALED_CHUNK].copy_from_slice(&copy);
        assert_eq!(read(&whole, &swapped, 0, 10), Err(MediaError::Tampered));

        // Another recording's chunks, under this recording's key.
        let other = Uuid::now_v7();
        let theirs = sealed_form(
            &Chunks::new(&key, other, plain.len() as u64).unwrap(),
            &plain,
        );
        assert_eq!(read(&whole, &theirs, 0, 10), Err(MediaError::Tampered));

        // Another recording's key opens nothing of this one; nor does another salt.
        let (their_key, _) = ring.new_data_key(other).unwrap();
        let wrong = Chunks::new(&their_key, recording, plain.len() as u64).unwrap();
        assert_eq!(read(&wrong, &sealed, 0, 10), Err(MediaError::Tampered));
        let mut first = sealed[..SEALED_CHUNK].to_vec();
        assert_eq!(
            whole.open([9; SALT], 0, &mut first).unwrap_err(),
            MediaError::Tampered
        );

        // A range outside the recording, or a chunk of the wrong size, is refused as such.
        assert!(matches!(
            whole.covering(0, plain.len() as u64 + 1),
            Err(MediaError::OutOfRange { .. })
        ));
        assert!(matches!(
            whole.seal(SALT_A, 0, &plain[..10], &mut Vec::new()),
            Err(MediaError::OutOfRange { .. })
        ));
    }

    #[test]
    fn a_poster_frame_never_opens_as_its_recording_nor_the_recording_as_a_poster() {
        let ring = keyring();
        let recording = Uuid::now_v7();
        let (key, _) = ring.new_data_key(recording).unwrap();
        let plain = recording_of(CHUNK + 10);
        let film = Chunks::new(&key, recording, plain.len() as u64).unwrap();
        let poster = Chunks::of_poster(&key, recording, plain.len() as u64).unwrap();
        let as_film = sealed_form(&film, &plain);
        let as_poster = sealed_form(&poster, &plain);
        assert_eq!(read(&poster, &as_poster, 0, 20).unwrap(), plain[..20]);
        assert_eq!(read(&film, &as_poster, 0, 20), Err(MediaError::Tampered));
        assert_eq!(read(&poster, &as_film, 0, 20), Err(MediaError::Tampered));
    }
}
