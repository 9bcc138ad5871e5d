use std::alloc::System;

use cap::Cap;

/// Every allocation of the binary is counted (the `cap` crate; no unsafe code here), so the
/// watchdog can stop a render that uses more memory than its limit with a clear error, and any
/// allocation past a hard cap well above that limit fails (the last resort; Rust then aborts).
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

fn main() {
    groundwork::watchdog::watch_memory(
        || ALLOCATOR.allocated(),
        |cap| {
            // Refused only when more than `cap` is already in use, which at start-up it is not.
            let _ = ALLOCATOR.set_limit(cap);
        },
    );
    std::process::exit(groundwork::run(std::env::args_os()));
}
