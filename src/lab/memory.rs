//! A global allocator for the tests that counts the bytes each thread holds, so a test can measure
//! what a value keeps on the heap (tests run on threads of their own).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// What a measured closure allocated: still held at its end, and the most at once.
pub struct Counted {
    pub retained: isize,
    pub peak: isize,
}

impl Counted {
    pub fn measure<T>(body: impl FnOnce() -> T) -> (T, Counted) {
        let before = HELD.with(Cell::get);
        PEAK.with(|peak| peak.set(before));
        let value = body();
        let counted = Counted { retained: HELD.with(Cell::get) - before, peak: PEAK.with(Cell::get) - before };
        (value, counted)
    }
}

fn note(delta: isize) {
    // `try_with`: a thread being torn down frees without counting.
    let _ = HELD.try_with(|held| {
        held.set(held.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(held.get())));
    });
}

struct Counting;

#[global_allocator]
static COUNTING: Counting = Counting;

// SAFETY: every call is System's, with the caller's arguments; counting has no other effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        note(size as isize - layout.size() as isize);
        System.realloc(ptr, layout, size)
    }
}
