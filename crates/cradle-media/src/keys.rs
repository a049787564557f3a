//! Keys: each recording's own data key, and the master keys that wrap them.
//!
//! A data key is made at random for one recording and is only ever stored wrapped (sealed
//! with AES-256-GCM under a master key, bound to the recording's id and the master key's
//! name, so a wrapped key copied onto another recording will not open). The keyring holds
//! the master keys by name, newest first: the newest wraps new keys, the older ones still
//! open what they wrapped until each key has been wrapped again under the newest
//! ([`Keyring::rewrap`]), after which an old master key can be retired. Recordings are never
//! sealed again to change master key.

use crate::MediaError;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use uuid::Uuid;
use zeroize::Zeroizing;

/// Bytes in a key (AES-256).
pub const KEY_LEN: usize = 32;

/// One recording's own key, held in memory only while its recording is sealed or opened,
/// and zeroed when dropped.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    /// The key ready to seal and open chunks.
    pub(crate) fn aead(&self) -> Result<LessSafeKey, MediaError> {
        aead_key(&self.0)
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(withheld)")
    }
}

fn aead_key(bytes: &[u8; KEY_LEN]) -> Result<LessSafeKey, MediaError> {
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| MediaError::Configuration("a key is not an AES-256 key".to_string()))
}

/// A recording's data key wrapped by a master key: what the database keeps for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The name of the master key that wrapped it.
    pub master: String,
    /// The nonce, then the key sealed with its tag.
    pub sealed: Vec<u8>,
}

struct MasterKey {
    name: String,
    key: LessSafeKey,
}

/// The master keys this server holds, newest first.
pub struct Keyring {
    keys: Vec<MasterKey>,
    random: SystemRandom,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.keys.iter().map(|k| k.name.as_str()).collect();
        write!(
            f,
            "Keyring({} master keys: {}; keys withheld)",
            names.len(),
            names.join(", ")
        )
    }
}

fn wrapping_aad(recording: Uuid, master: &str) -> Vec<u8> {
    let mut aad = b"cradle recording key\0".to_vec();
    aad.extend_from_slice(recording.as_bytes());
    aad.extend_from_slice(master.as_bytes());
    aad
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Keyring {
    /// The keyring from its setting: `name=key` entries (the key 32 random bytes in base64),
    /// separated by commas or white space, the newest first.
    pub fn parse(setting: &str) -> Result<Self, MediaError> {
        let mut keys: Vec<MasterKey> = Vec::new();
        for entry in setting
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            let Some((name, encoded)) = entry.split_once('=') else {
                return Err(MediaError::Configuration(
                    "each master key is written name=key".to_string(),
                ));
            };
            if !valid_name(name) {
                return Err(MediaError::Configuration(format!(
                    "the master key name “{name}” must be 1 to 40 letters, digits, dots, hyphens or underscores"
                )));
            }
            if keys.iter().any(|k| k.name == name) {
                return Err(MediaError::Configuration(format!(
                    "the master key name “{name}” is given twice"
                )));
            }
            let decoded = Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|_| {
                        MediaError::Configuration(format!("the master key “{name}” is not base64"))
                    })?,
            );
            let bytes: Zeroizing<[u8; KEY_LEN]> =
                Zeroizing::new(decoded.as_slice().try_into().map_err(|_| {
                    MediaError::Configuration(format!(
                        "the master key “{name}” must be {KEY_LEN} bytes"
                    ))
                })?);
            keys.push(MasterKey {
                name: name.to_string(),
                key: aead_key(&bytes)?,
            });
        }
        if keys.is_empty() {
            return Err(MediaError::Configuration(
                "no master key is set".to_string(),
            ));
        }
        Ok(Self {
            keys,
            random: SystemRandom::new(),
        })
    }

    /// A new master key's setting entry, `name=key`, made from the system's random source.
    pub fn new_master_entry(name: &str) -> Result<String, MediaError> {
        if !valid_name(name) {
            return Err(MediaError::Configuration(format!(
                "the master key name “{name}” must be 1 to 40 letters, digits, dots, hyphens or underscores"
            )));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        SystemRandom::new()
            .fill(&mut bytes[..])
            .map_err(|_| MediaError::Random)?;
        Ok(format!(
            "{name}={}",
            base64::engine::general_purpose::STANDARD.encode(&bytes[..])
        ))
    }

    /// The name of the master key that wraps new keys.
    pub fn current(&self) -> &str {
        self.keys
            .first()
            .map(|k| k.name.as_str())
            .unwrap_or_default()
    }

    /// A new data key for `recording`, and the same key wrapped under the newest master key.
    pub fn new_data_key(&self, recording: Uuid) -> Result<(DataKey, WrappedKey), MediaError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        self.random
            .fill(&mut bytes[..])
            .map_err(|_| MediaError::Random)?;
        let key = DataKey(bytes);
        let wrapped = self.wrap(&key, recording)?;
        Ok((key, wrapped))
    }

    fn wrap(&self, key: &DataKey, recording: Uuid) -> Result<WrappedKey, MediaError> {
        let master = self
            .keys
            .first()
            .ok_or_else(|| MediaError::Configuration("no master key is set".to_string()))?;
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| MediaError::Random)?;
        // Room for the tag from the start, so the key is never copied into memory freed
        // unzeroed when the buffer grows.
        let mut sealed = Zeroizing::new(Vec::with_capacity(KEY_LEN + AES_256_GCM.tag_len()));
        sealed.extend_from_slice(&key.0[..]);
        master
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrapping_aad(recording, &master.name)),
                &mut *sealed,
            )
            .map_err(|_| MediaError::Configuration("a key could not be wrapped".to_string()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(WrappedKey {
            master: master.name.clone(),
            sealed: out,
        })
    }

    /// The data key of `recording`, opened from its wrapped form.
    pub fn open_key(&self, wrapped: &WrappedKey, recording: Uuid) -> Result<DataKey, MediaError> {
        let master = self
            .keys
            .iter()
            .find(|k| k.name == wrapped.master)
            .ok_or_else(|| MediaError::UnknownMasterKey(wrapped.master.clone()))?;
        let (nonce, sealed) = wrapped
            .sealed
            .split_at_checked(NONCE_LEN)
            .ok_or(MediaError::Tampered)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| MediaError::Tampered)?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let opened = master
            .key
            .open_in_place(
                nonce,
                Aad::from(wrapping_aad(recording, &master.name)),
                &mut buffer,
            )
            .map_err(|_| MediaError::Tampered)?;
        let bytes: [u8; KEY_LEN] = (&*opened).try_into().map_err(|_| MediaError::Tampered)?;
        Ok(DataKey(Zeroizing::new(bytes)))
    }

    /// `wrapped` wrapped again under the newest master key (as it was, when it already is):
    /// how a new master key is brought in without touching any recording.
    pub fn rewrap(&self, wrapped: &WrappedKey, recording: Uuid) -> Result<WrappedKey, MediaError> {
        if wrapped.master == self.current() {
            return Ok(wrapped.clone());
        }
        let key = self.open_key(wrapped, recording)?;
        self.wrap(&key, recording)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_of(names: &[&str]) -> (Keyring, Vec<String>) {
        let entries: Vec<String> = names
            .iter()
            .map(|n| Keyring::new_master_entry(n).unwrap())
            .collect();
        (Keyring::parse(&entries.join(",")).unwrap(), entries)
    }

    #[test]
    fn a_recordings_key_opens_only_for_that_recording() {
        let (ring, _) = ring_of(&["2026-12"]);
        let recording = Uuid::now_v7();
        let (key, wrapped) = ring.new_data_key(recording).unwrap();
        assert_eq!(wrapped.master, "2026-12");
        let opened = ring.open_key(&wrapped, recording).unwrap();
        assert_eq!(&opened.0[..], &key.0[..]);
        // Copied onto another recording, it does not open.
        assert_eq!(
            ring.open_key(&wrapped, Uuid::now_v7()).unwrap_err(),
            MediaError::Tampered
        );
        // A flipped byte does not open either.
        let mut flipped = wrapped.clone();
        flipped.sealed[20] ^= 1;
        assert_eq!(
            ring.open_key(&flipped, recording).unwrap_err(),
            MediaError::Tampered
        );
        // Nor does the key claim another master key's name.
        let renamed = WrappedKey {
            master: "other".into(),
            ..wrapped
        };
        assert!(matches!(
            ring.open_key(&renamed, recording),
            Err(MediaError::UnknownMasterKey(name)) if name == "other"
        ));
    }

    #[test]
    fn a_new_master_key_is_brought_in_by_wrapping_keys_again_not_by_resealing() {
        let (old_ring, old_entries) = ring_of(&["2026-06"]);
        let recording = Uuid::now_v7();
        let (key, wrapped) = old_ring.new_data_key(recording).unwrap();

        // The new key first; the old one still held while keys are wrapped again.
        let new_entry = Keyring::new_master_entry("2026-12").unwrap();
        let both = Keyring::parse(&format!("{new_entry} {}", old_entries[0])).unwrap();
        assert_eq!(both.current(), "2026-12");
        let rewrapped = both.rewrap(&wrapped, recording).unwrap();
        assert_eq!(rewrapped.master, "2026-12");
        assert_eq!(both.rewrap(&rewrapped, recording).unwrap(), rewrapped);

        // The old master key retired: the rewrapped key still opens to the same data key.
        let new_only = Keyring::parse(&new_entry).unwrap();
        assert_eq!(
            &new_only.open_key(&rewrapped, recording).unwrap().0[..],
            &key.0[..]
        );
        assert!(matches!(
            new_only.open_key(&wrapped, recording),
            Err(MediaError::UnknownMasterKey(_))
        ));
    }

    #[test]
    fn a_master_key_setting_that_cannot_be_used_is_refused_plainly() {
        for (setting, says) in [
            ("", "no master key is set"),
            ("just-a-key", "name=key"),
            ("a b=c", "name=key"),
            ("bad!=AAAA", "letters, digits"),
            ("k=not base64 at all", "not base64"),
            ("k=AAAA", "must be 32 bytes"),
        ] {
            let error = Keyring::parse(setting).unwrap_err().to_string();
            assert!(error.contains(says), "{setting}: {error}");
        }
        let entry = Keyring::new_master_entry("k").unwrap();
        let error = Keyring::parse(&format!("{entry},{entry}")).unwrap_err();
        assert!(error.to_string().contains("given twice"));
        // Nothing of a key shows in a log line.
        let (ring, entries) = ring_of(&["k"]);
        let shown = format!("{ring:?}");
        let secret = entries[0].split_once('=').unwrap().1;
        assert!(!shown.contains(secret));
        assert!(shown.contains("k"));
    }
}
