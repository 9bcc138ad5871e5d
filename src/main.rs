use std::alloc::System;

use cap::Cap;

/// Every allocation of the binary is counted (the `cap` crate; no unsafe code here), so the
/// watchdog can stop a render that uses more memory than its limit with a clear error, and any
/// allocation past a hard cap above that limit (but within what the process can really get, see
/// `watchdog`) fails (the last resort; Rust then aborts).
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

fn main() {
    // The limits are read first: a malformed limit variable stops the run before it does anything.
    let started = groundwork::start(
        || ALLOCATOR.allocated(),
        |cap| {
            // Refused only when more than `cap` is already in use, which at start-up it is not.
            let _ = ALLOCATOR.set_limit(cap);
        },
    );
    if let Err(code) = started {
        std::process::exit(code);
    }
    std::process::exit(groundwork::run(std::env::args_os()));
}
