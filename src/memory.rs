//! How the process holds its memory. glibc's allocator gives each thread that meets contention an
//! arena of its own (up to eight per core) and keeps what is freed in it for later: after a burst
//! (200 chats at once, an export written on a thread of its own) the process holds its peak,
//! spread over arenas, long after the work is done. Here the arenas are limited to two
//! ([`limit_arenas`], at start-up) and what a burst freed is given back once it is over
//! ([`trim`], called by the dispatcher). Other allocators and systems: nothing to do.

/// At most two allocator arenas. Called first thing, before any thread is started.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; no thread is running yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives every arena's free pages back to the system (glibc's `malloc_trim`). Takes a few
/// milliseconds after a burst, during which other threads' allocations wait: call it when the
/// process is quiet, off the async workers.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}
