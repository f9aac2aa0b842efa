//! The preview server's request reader (`dotwork serve`): arbitrary bytes
//! from a connection, read a few at a time as a slow client sends them,
//! must give requests or a refusal, never a panic; each request's `Host`,
//! path and `Range` rules run too, and a range answered lies inside the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dotwork::fuzz_request_reader(data);
});
