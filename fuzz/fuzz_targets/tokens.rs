#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigshim_fuzz::tokens(data));
