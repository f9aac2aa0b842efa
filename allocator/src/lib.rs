//! Settings of mimalloc, the allocator of the `dotwork` binary, that
//! mimalloc takes only through its C interface (or from the environment
//! before the process starts). dotwork's own crate forbids `unsafe` code:
//! these two calls are the only `unsafe` code of dotwork's, and live here.

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};

/// mimalloc 2's option for how long freed memory is kept before it is given
/// back to the system, in milliseconds: `mi_option_purge_delay` in its
/// `mimalloc.h`, which libmimalloc-sys names no constant for.
const PURGE_DELAY: mi_option_t = 15;

/// Makes mimalloc give memory that is freed back to the system after `ms`
/// milliseconds (its default is 10). A build frees most of what it makes
/// within a stage: given back sooner, it is not counted in the peak
/// resident memory while the next stage grows (issue 16).
pub fn give_back_freed_memory_after(ms: u16) {
    // SAFETY: `mi_option_set` takes an option's number and a value, and
    // only stores the value (any value is valid). `PURGE_DELAY` is that
    // option's number in the mimalloc this crate links: the binary's test
    // reads its default there, mimalloc's 10 ms.
    unsafe { mi_option_set(PURGE_DELAY, ms.into()) }
}

/// How long mimalloc keeps freed memory before it gives it back, in
/// milliseconds (`-1`: never).
pub fn purge_delay() -> i64 {
    // SAFETY: `mi_option_get` takes an option's number and only reads it.
    let delay = unsafe { mi_option_get(PURGE_DELAY) };
    // A C `long` is 32 bits on Windows, 64 elsewhere.
    #[allow(clippy::useless_conversion)]
    i64::from(delay)
}
