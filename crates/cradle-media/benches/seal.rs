//! How fast recordings are sealed and opened, as ratios to copying the same bytes in memory
//! in the same run (the machines are shared and noisy, so no figure stands alone).
//!
//! `cargo bench -p cradle-media --bench seal`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_media::keys::Keyring;
use cradle_media::seal::{chunk_len, chunks, Chunks, CHUNK, SEALED_CHUNK};
use std::time::Instant;
use uuid::Uuid;

const MIB: usize = 1024 * 1024;

fn best_of<F: FnMut()>(rounds: usize, mut f: F) -> f64 {
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let size = 256 * MIB;
    let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let ring = Keyring::parse(&Keyring::new_master_entry("bench").unwrap()).unwrap();
    let recording = Uuid::now_v7();
    let (key, _) = ring.new_data_key(recording).unwrap();
    let chunks_of = Chunks::new(&key, recording, size as u64).unwrap();
    let count = chunks(size as u64);
    let salt = [7; cradle_media::seal::SALT];
    let mut sealed = Vec::with_capacity(size + size / 1000 + 1024);

    // A baseline that moves the same bytes through memory in chunk-sized pieces.
    let mut copy = Vec::with_capacity(size);
    let copy_s = best_of(5, || {
        copy.clear();
        for piece in plain.chunks(CHUNK) {
            copy.extend_from_slice(piece);
        }
        std::hint::black_box(&copy);
    });
    let seal_s = best_of(5, || {
        sealed.clear();
        for index in 0..count {
            let start = index as usize * CHUNK;
            let piece = &plain[start..start + chunk_len(size as u64, index)];
            chunks_of.seal(salt, index, piece, &mut sealed).unwrap();
        }
    });
    let mut scratch = Vec::with_capacity(SEALED_CHUNK);
    let open_s = best_of(5, || {
        for index in 0..count {
            let start = index as usize * SEALED_CHUNK;
            scratch.clear();
            scratch.extend_from_slice(&sealed[start..start + SEALED_CHUNK]);
            std::hint::black_box(chunks_of.open(salt, index, &mut scratch).unwrap());
        }
    });
    let rate = |s: f64| size as f64 / s / 1e9;
    println!(
        "sealing and opening {} MiB in 64 KiB chunks, best of 5, one core",
        size / MIB
    );
    println!("  copy in memory {:6.2} GB/s", rate(copy_s));
    println!(
        "  seal           {:6.2} GB/s  ({:.2}× of copying)",
        rate(seal_s),
        copy_s / seal_s
    );
    println!(
        "  open           {:6.2} GB/s  ({:.2}× of copying)",
        rate(open_s),
        copy_s / open_s
    );
}
