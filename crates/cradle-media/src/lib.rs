//! Recordings of parents with their babies, held so that nothing readable ever rests on
//! disk. Each recording is sealed with a key of its own ([`keys::DataKey`]) in authenticated
//! chunks ([`seal`]): any byte range is opened alone, so playback can seek, and a flipped
//! byte, a dropped or reordered chunk, or a cut-short file is detected rather than played.
//! Each recording's key is kept only wrapped by a master key ([`keys::Keyring`]); a new
//! master key is brought in by wrapping the keys again, never by sealing the recordings
//! again, and deleting a recording's wrapped key leaves its sealed bytes unreadable.

pub mod films;
pub mod keys;
pub mod probe;
pub mod seal;

/// Why a recording or its key could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// The sealed bytes were changed, cut short, reordered, or belong to another
    /// recording: nothing of them is given out.
    #[error(
        "the recording's sealed bytes fail their check: changed, cut short or not this recording's"
    )]
    Tampered,
    /// The wrapped key names a master key this server does not hold.
    #[error("the recording's key is wrapped by master key “{0}”, which this server does not hold")]
    UnknownMasterKey(String),
    /// A master key given in the configuration cannot be used.
    #[error("master key setting: {0}")]
    Configuration(String),
    /// The system's random number source failed.
    #[error("no random bytes could be had from the system")]
    Random,
    /// The storage the sealed films rest in failed.
    #[error("the recordings' storage failed: {0}")]
    Storage(String),
    /// A range outside the recording.
    #[error("bytes {start} to {end} are outside the recording of {length} bytes")]
    OutOfRange { start: u64, end: u64, length: u64 },
}
