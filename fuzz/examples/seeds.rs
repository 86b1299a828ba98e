//! Writes the seed corpus of every target to `corpus/<target>/`: up to 24 of the valid inputs
//! of `sigshim_fuzz::seeds` as they are (`seed-NN`), and 8 structured inputs that pick seeds
//! across the whole list and change them (`structured-NN`). The fuzzer reaches the other seeds
//! through the structured form. See README.md.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let targets = [
        ("client_frame", sigshim_fuzz::seeds::client_frames()),
        ("server_frame", sigshim_fuzz::seeds::server_frames()),
        ("legacy_frame", sigshim_fuzz::seeds::legacy_frames()),
        ("tokens", sigshim_fuzz::token_checks::valid_tokens().to_vec()),
    ];
    for (name, seeds) in targets {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir)?;
        let step = seeds.len().div_ceil(24);
        for (i, seed) in seeds.iter().enumerate().step_by(step) {
            std::fs::write(dir.join(format!("seed-{i:02}")), seed)?;
        }
        for i in 0..8u8 {
            let pick = (usize::from(i) * seeds.len() / 8) as u8;
            let input = [sigshim_fuzz::STRUCTURED, pick, 1 + i, 0, 2 * i, 7, i];
            std::fs::write(dir.join(format!("structured-{i:02}")), input)?;
        }
    }
    Ok(())
}
