//! A recording's content checked by what it is, never by its name: Debian's `ffprobe` says
//! what container and streams it holds, `ffmpeg` reads its last seconds (a file cut short
//! fails there) and takes a poster frame. Both run as separate processes under time and
//! memory limits, and read the film from a loopback address that serves its sealed chunks
//! opened in memory, one range at a time, to a one-off secret path: no plaintext copy of the
//! film is ever written to disk, and the tools may only read over that connection and only
//! the containers a browser plays.

use crate::films::{Films, MAX_POSTER_BYTES};
use crate::seal::Chunks;
use crate::MediaError;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The containers a recording may come in: those of phones and cameras that browsers play.
/// The tools are held to these demuxers, so a playlist, a list of other files or an image
/// sequence is never followed.
const CONTAINERS: &str = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm";

/// The tools and the limits they run under.
#[derive(Debug, Clone)]
pub struct Tools {
    pub ffprobe: PathBuf,
    pub ffmpeg: PathBuf,
    /// Wall-clock and processor time each run may take before it is stopped.
    pub time_limit: Duration,
    /// Address space each run may take.
    pub memory_limit_bytes: u64,
}

impl Default for Tools {
    fn default() -> Self {
        Self {
            ffprobe: PathBuf::from("ffprobe"),
            ffmpeg: PathBuf::from("ffmpeg"),
            time_limit: Duration::from_secs(60),
            memory_limit_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// What a recording's content shows it to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examined {
    /// The container as the probe names it ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm").
    pub container: String,
    /// The media type it is served as ("video/mp4", "video/webm").
    pub media_type: String,
    pub duration_millis: u64,
    pub width: u32,
    pub height: u32,
    pub video_codec: String,
    pub audio_codec: Option<String>,
    /// A frame from early in the film, as a JPEG of at most 640 pixels across.
    pub poster: Vec<u8>,
}

/// Why a recording was not taken, in words for the person who uploaded it; or why it could
/// not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Examination {
    /// Its content is not a film Cradle can accept: refused.
    #[error("{0}")]
    Refused(String),
    /// The check itself could not run (the tools missing, the storage failing): the
    /// recording is neither taken nor refused.
    #[error("{0}")]
    NotChecked(String),
}

#[derive(Deserialize)]
struct ProbeOutput {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    disposition: Option<ProbeDisposition>,
}

#[derive(Deserialize)]
struct ProbeDisposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct ProbeFormat {
    format_name: Option<String>,
    duration: Option<String>,
}

/// The loopback server's state: the one film it serves, at one secret path.
struct Serving {
    films: Films,
    chunks: Arc<Chunks>,
    recording: Uuid,
    secret: String,
}

/// Bytes served per read of the sealed film.
const STEP: u64 = 1024 * 1024;

/// The first byte asked for, and the last if given, from a `Range: bytes=a-b` header.
fn range_asked(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let (first, last) = value.strip_prefix("bytes=")?.split_once('-')?;
    let first = first.trim().parse().ok()?;
    let last = match last.trim() {
        "" => None,
        text => Some(text.parse().ok()?),
    };
    Some((first, last))
}

async fn serve_film(
    State(serving): State<Arc<Serving>>,
    UrlPath(secret): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    use subtle::ConstantTimeEq;
    if !bool::from(secret.as_bytes().ct_eq(serving.secret.as_bytes())) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let length = serving.chunks.length();
    let (start, end, status) = match range_asked(&headers) {
        Some((first, last)) if first < length => {
            let end = last.map_or(length, |last| (last + 1).min(length));
            if end <= first {
                return StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            }
            (first, end, StatusCode::PARTIAL_CONTENT)
        }
        Some(_) => {
            let mut answer = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                answer.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return answer;
        }
        None => (0, length, StatusCode::OK),
    };
    let pieces = futures_util::stream::unfold(start, move |at| {
        let serving = Arc::clone(&serving);
        async move {
            if at >= end {
                return None;
            }
            let to = (at + STEP).min(end);
            let read = serving
                .films
                .read(&serving.chunks, serving.recording, at, to)
                .await
                .map_err(std::io::Error::other);
            let next = if read.is_ok() { to } else { end };
            Some((read, next))
        }
    });
    let mut answer = Response::new(Body::from_stream(pieces));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&(end - start).to_string()) {
        headers.insert(header::CONTENT_LENGTH, value);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{length}", end - 1)) {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    answer
}

/// What one run of a tool printed, once it ended within its limits.
struct Ran {
    succeeded: bool,
    stdout: Vec<u8>,
    stderr: String,
}

impl Tools {
    /// Runs `program` with `args` under the limits: no input, its output collected, stopped
    /// when its time is up.
    async fn run(&self, program: &std::path::Path, args: &[String]) -> Result<Ran, Examination> {
        let seconds = self.time_limit.as_secs().max(1);
        let mut command = tokio::process::Command::new("prlimit");
        command
            .arg(format!("--as={}", self.memory_limit_bytes))
            .arg(format!("--cpu={seconds}"))
            .arg("--core=0")
            .arg("--")
            .arg(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let child = command.spawn().map_err(|error| {
            Examination::NotChecked(format!(
                "the film could not be checked: prlimit (from util-linux), which runs {} under its limits, could not be started ({error})",
                program.display()
            ))
        })?;
        let output = tokio::time::timeout(self.time_limit, child.wait_with_output())
            .await
            .map_err(|_| {
                Examination::Refused(format!(
                    "Checking the film took longer than {seconds} seconds, so it was not taken. It may be damaged: try exporting it again from the camera or phone"
                ))
            })?
            .map_err(|error| {
                Examination::NotChecked(format!("the film could not be checked: {error}"))
            })?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        // prlimit's own answer when the tool itself could not be run.
        if matches!(output.status.code(), Some(126 | 127)) {
            return Err(Examination::NotChecked(format!(
                "the film could not be checked: {}",
                stderr.trim()
            )));
        }
        Ok(Ran {
            succeeded: output.status.success(),
            stdout: output.stdout,
            stderr,
        })
    }

    /// Checks recording `recording` (its sealed film in `films`, opened with `chunks`): what
    /// it holds, that it is whole to its end, and a poster frame from it.
    pub async fn examine(
        &self,
        films: &Films,
        chunks: Arc<Chunks>,
        recording: Uuid,
    ) -> Result<Examined, Examination> {
        let mut secret = [0u8; 32];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| Examination::NotChecked(MediaError::Random.to_string()))?;
        let serving = Arc::new(Serving {
            films: films.clone(),
            chunks,
            recording,
            secret: hex_of(&secret),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Examination::NotChecked(format!("the film could not be checked: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| Examination::NotChecked(format!("the film could not be checked: {e}")))?;
        let url = format!("http://{address}/{}", serving.secret);
        let router = axum::Router::new()
            .route("/{secret}", axum::routing::get(serve_film))
            .with_state(Arc::clone(&serving));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let examined = self.examine_at(&url).await;
        server.abort();
        examined
    }

    async fn examine_at(&self, url: &str) -> Result<Examined, Examination> {
        let reading = |extra: &[&str]| {
            let mut args: Vec<String> = ["-nostdin", "-hide_banner", "-v", "error"]
                .iter()
                .map(|s| (*s).to_string())
                .collect();
            args.extend(extra.iter().map(|s| (*s).to_string()));
            args
        };
        // Read only over the loopback connection, and only as a container browsers play.
        let held_to = [
            "-protocol_whitelist",
            "http,tcp",
            "-format_whitelist",
            CONTAINERS,
        ];
        let mut probe_args = vec![
            "-v",
            "error",
            "-of",
            "json",
            "-show_entries",
            "format=format_name,duration:stream=codec_type,codec_name,width,height:stream_disposition=attached_pic",
        ];
        probe_args.extend_from_slice(&held_to);
        probe_args.push(url);
        let probe_args: Vec<String> = probe_args.iter().map(|s| (*s).to_string()).collect();
        let probed = self.run(&self.ffprobe, &probe_args).await?;
        let not_a_video = || {
            Examination::Refused(
                "This file is not a video Cradle can accept. Its content was checked, not its name: upload the film as the camera or phone saved it (MP4, MOV or WebM)".to_string(),
            )
        };
        if !probed.succeeded {
            return Err(not_a_video());
        }
        let output: ProbeOutput =
            serde_json::from_slice(&probed.stdout).map_err(|_| not_a_video())?;
        let format = output.format.ok_or_else(not_a_video)?;
        let container = format.format_name.ok_or_else(not_a_video)?;
        let video = output
            .streams
            .iter()
            .find(|s| {
                s.codec_type.as_deref() == Some("video")
                    && s.disposition.as_ref().is_none_or(|d| d.attached_pic == 0)
            })
            .ok_or_else(|| {
                Examination::Refused(
                    "This file has no picture in it (it may be a sound recording): upload the film itself".to_string(),
                )
            })?;
        let audio_codec = output
            .streams
            .iter()
            .find(|s| s.codec_type.as_deref() == Some("audio"))
            .and_then(|s| s.codec_name.clone());
        let seconds: f64 = format
            .duration
            .as_deref()
            .and_then(|d| d.parse().ok())
            .filter(|d: &f64| d.is_finite() && *d > 0.0)
            .ok_or_else(|| {
                Examination::Refused(
                    "This film's length cannot be read: it may be damaged or cut short. Try exporting it again from the camera or phone".to_string(),
                )
            })?;
        let damaged = || {
            Examination::Refused(
                "This film is damaged or cut short: its last part cannot be played. Upload the whole film again as the camera or phone saved it".to_string(),
            )
        };
        // The last seconds, read and decoded: a file cut short, or damaged at its end,
        // fails here even when its header is whole.
        let tail_from = format!("{:.3}", (seconds - 2.0).max(0.0));
        let mut input = held_to.to_vec();
        input.extend_from_slice(&["-threads", "1"]);
        let mut tail = input.clone();
        tail.extend_from_slice(&["-ss", &tail_from, "-i", url, "-f", "null", "-"]);
        let tail = self.run(&self.ffmpeg, &reading(&tail)).await?;
        if !tail.succeeded || !tail.stderr.trim().is_empty() {
            return Err(damaged());
        }
        let poster_at = format!("{:.3}", (seconds / 2.0).min(1.0));
        let mut poster = input;
        poster.extend_from_slice(&[
            "-ss",
            &poster_at,
            "-i",
            url,
            "-map",
            "0:v:0",
            "-frames:v",
            "1",
            "-vf",
            "scale='min(640,iw)':-2",
            "-c:v",
            "mjpeg",
            "-q:v",
            "4",
            "-f",
            "image2pipe",
            "pipe:1",
        ]);
        let poster = self.run(&self.ffmpeg, &reading(&poster)).await?;
        if !poster.succeeded || poster.stdout.is_empty() {
            return Err(damaged());
        }
        if poster.stdout.len() as u64 > MAX_POSTER_BYTES {
            return Err(damaged());
        }
        let video_codec = video.codec_name.clone().unwrap_or_default();
        Ok(Examined {
            media_type: media_type(&container, &video_codec, audio_codec.as_deref()).to_string(),
            container,
            duration_millis: (seconds * 1000.0).round() as u64,
            width: video.width.unwrap_or(0),
            height: video.height.unwrap_or(0),
            video_codec,
            audio_codec,
            poster: poster.stdout,
        })
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The media type a film is served as, from what the probe found in it.
pub fn media_type(container: &str, video_codec: &str, audio_codec: Option<&str>) -> &'static str {
    if container.contains("webm") {
        let web_video = matches!(video_codec, "vp8" | "vp9" | "av1");
        let web_audio = audio_codec.is_none_or(|a| matches!(a, "opus" | "vorbis"));
        if web_video && web_audio {
            "video/webm"
        } else {
            "video/x-matroska"
        }
    } else {
        "video/mp4"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keyring;

    /// A short film made by ffmpeg (a test pattern and a tone), as the camera would save it.
    fn film(folder: &std::path::Path, name: &str, extra: &[&str]) -> Vec<u8> {
        let path = folder.join(name);
        let mut args = vec![
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=4:size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ];
        args.extend_from_slice(extra);
        args.push(path.to_str().unwrap());
        let made = std::process::Command::new("ffmpeg")
            .args(&args)
            .status()
            .unwrap();
        assert!(
            made.success(),
            "ffmpeg must be installed (the test command installs it)"
        );
        std::fs::read(path).unwrap()
    }

    async fn examined(bytes: &[u8], tools: &Tools) -> Result<Examined, Examination> {
        let stored = tempfile::tempdir().unwrap();
        let films = Films::on_disk(stored.path()).unwrap();
        let ring = Keyring::parse(&Keyring::new_master_entry("test").unwrap()).unwrap();
        let recording = Uuid::now_v7();
        let (key, _) = ring.new_data_key(recording).unwrap();
        let mut upload = films
            .upload(&key, recording, bytes.len() as u64, 0)
            .await
            .unwrap();
        upload.push(bytes).await.unwrap();
        upload.close().await.unwrap();
        let chunks = Arc::new(Chunks::new(&key, recording, bytes.len() as u64).unwrap());
        tools.examine(&films, chunks, recording).await
    }

    fn refusal(result: Result<Examined, Examination>) -> String {
        match result {
            Err(Examination::Refused(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_film_is_taken_by_its_content_and_anything_else_is_refused_with_the_reason() {
        let folder = tempfile::tempdir().unwrap();
        let tools = Tools::default();
        let ready = film(folder.path(), "ready.mp4", &["-movflags", "+faststart"]);
        // The index at the end, as many phones save it: found by seeking over the loopback.
        let index_at_end = film(folder.path(), "index-at-end.mp4", &[]);
        let webm = film(
            folder.path(),
            "film.webm",
            &[
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-c:a",
                "libopus",
            ],
        );

        for (bytes, media_type) in [
            (&ready, "video/mp4"),
            (&index_at_end, "video/mp4"),
            (&webm, "video/webm"),
        ] {
            let found = examined(bytes, &tools).await.unwrap();
            assert_eq!(found.media_type, media_type);
            assert_eq!((found.width, found.height), (320, 240));
            assert!(
                (3900..=4100).contains(&found.duration_millis),
                "{}",
                found.duration_millis
            );
            assert!(found.audio_codec.is_some());
            assert_eq!(&found.poster[..2], &[0xFF, 0xD8], "the poster is a JPEG");
        }

        // Cut short: the header is whole but the end is missing.
        let cut = &ready[..ready.len() * 2 / 3];
        assert!(refusal(examined(cut, &tools).await).contains("damaged or cut short"));
        // Cut short with its index at the end: nothing says what it is.
        let cut = &index_at_end[..index_at_end.len() / 2];
        assert!(refusal(examined(cut, &tools).await).contains("not a video"));
        // Not a film at all, whatever it is called.
        let text = b"Dear team, the notes from Tuesday's visit are below.\n".repeat(100);
        assert!(refusal(examined(&text, &tools).await).contains("not a video"));
        // Sound alone.
        let sound = film(folder.path(), "sound.m4a", &["-vn"]);
        assert!(refusal(examined(&sound, &tools).await).contains("no picture"));
    }

    #[tokio::test]
    async fn a_server_without_the_tools_says_so_and_neither_takes_nor_refuses_the_film() {
        let folder = tempfile::tempdir().unwrap();
        let ready = film(folder.path(), "ready.mp4", &["-movflags", "+faststart"]);
        let tools = Tools {
            ffprobe: PathBuf::from("/nonexistent/ffprobe"),
            ..Tools::default()
        };
        match examined(&ready, &tools).await {
            Err(Examination::NotChecked(why)) => {
                assert!(why.contains("could not be checked"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
}
