//! The moving layer's channel. Each animation frame the app publishes where the tokens are and
//! what the clock reads, and only the components that draw them re-render: the rest of the page
//! (the static layer) is neither rebuilt nor diffed on a frame in which no step happened. The
//! subscribers write what moves straight onto their elements (a `transform`), so a frame that only
//! moves things costs no virtual-DOM work at all.

use std::cell::{Cell, Ref, RefCell};
use std::rc::Rc;

use yew::Callback;

use super::stage::Token;

/// What moves from frame to frame.
#[derive(Default)]
pub struct Motion {
    pub tokens: Rc<Vec<Token>>,
    pub clock: f64,
}

#[derive(Default)]
struct Inner {
    motion: RefCell<Motion>,
    listeners: RefCell<Vec<(u32, Callback<()>)>>,
    next: Cell<u32>,
}

/// Shared by the app (which publishes) and the moving layers (which subscribe). Cloning shares it;
/// two handles compare equal when they share it, so passing it as a prop never re-renders a child.
#[derive(Clone, Default)]
pub struct MotionBus(Rc<Inner>);

impl PartialEq for MotionBus {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl MotionBus {
    /// Stores this frame's motion and asks every subscribed layer to draw it.
    pub fn publish(&self, motion: Motion) {
        *self.0.motion.borrow_mut() = motion;
        let listeners: Vec<Callback<()>> = self.0.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener.emit(());
        }
    }

    pub fn get(&self) -> Ref<'_, Motion> {
        self.0.motion.borrow()
    }

    pub fn subscribe(&self, listener: Callback<()>) -> u32 {
        let id = self.0.next.get();
        self.0.next.set(id.wrapping_add(1));
        self.0.listeners.borrow_mut().push((id, listener));
        id
    }

    pub fn unsubscribe(&self, id: u32) {
        self.0.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }
}
