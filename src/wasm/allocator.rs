//! The global allocator of the wasm build. std's default on wasm32-unknown-unknown is dlmalloc
//! (~6 KB of code in every entry, more than the OTP code itself); the binding allocates little
//! and briefly (argument strings, a key, the returned code), so lol_alloc's free list, sorted by
//! address and coalescing neighbours, is enough: freed blocks are reused, so memory stays flat
//! over a million calls (tests/js/node/memory.test.mjs observes it).
#![allow(unsafe_code)]

use lol_alloc::{AssumeSingleThreaded, FreeListAllocator};

// SAFETY: AssumeSingleThreaded requires that only one thread uses the allocator. This module is
// built for wasm32-unknown-unknown without the `atomics` target feature, where a module
// instance has exactly one thread (Web Workers get instances of their own, with their own
// memory): there is no other thread to race with.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: AssumeSingleThreaded<FreeListAllocator> = unsafe { AssumeSingleThreaded::new(FreeListAllocator::new()) };
