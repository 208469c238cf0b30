//! What is built after the first paint (issue 13: Play must respond soon on a slow laptop). The
//! app's first render builds the top bar, the controls with Play, the narration and every panel's
//! heading; each part of [`Later`] starts as a placeholder of about its size (a panel's `.later`
//! in `static/css/01-panels.css`; the stage's `stage::stage_placeholder`), so nothing jumps, and is built in an idle period of its own
//! (requestIdleCallback; a timer where there is none), one part per period in page order, so
//! that the work is several short tasks instead of one long one before Play can respond.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

/// A part of the page built after the first paint, in page order (the order idle periods build
/// them). The stage is first: it is on screen, but the first render is the controls and Play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Later {
    Stage,
    Ledger,
    Diagram,
    Compare,
    Explorer,
    Settings,
}

impl Later {
    const ALL: [Later; 6] = [Later::Stage, Later::Ledger, Later::Diagram, Later::Compare, Later::Explorer, Later::Settings];

    /// The panel's name in its heading's id (`ledger-title`) and its placeholder's `data-later`.
    pub fn slug(self) -> &'static str {
        match self {
            Later::Stage => "stage",
            Later::Ledger => "ledger",
            Later::Diagram => "diagram",
            Later::Compare => "compare",
            Later::Explorer => "explorer",
            Later::Settings => "settings",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Which of the [`Later`] panels are built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Built(u8);

impl Built {
    pub fn has(self, panel: Later) -> bool {
        self.0 & panel.bit() != 0
    }

    pub fn add(&mut self, panel: Later) {
        self.0 |= panel.bit();
    }

    /// The first panel in page order that is not built yet, among those `shown`.
    pub fn next(self, shown: impl Fn(Later) -> bool) -> Option<Later> {
        Later::ALL.into_iter().find(|panel| !self.has(*panel) && shown(*panel))
    }

    /// Every panel built (an embed's one panel at a time is built at once).
    pub fn all() -> Self {
        Built(u8::MAX)
    }
}

/// A pending idle callback or, where the browser has none (Safari), timer.
#[derive(Clone, Copy)]
enum Pending {
    Idle(f64),
    Timer(f64),
}

/// Asks for idle periods, one at a time; dropping it cancels the pending one.
/// The longest wait for an idle period before a part is built anyway.
const IDLE_TIMEOUT_MS: u32 = 1000;

pub struct LaterBuilder {
    on_idle: Closure<dyn FnMut()>,
    pending: Rc<Cell<Option<Pending>>>,
}

impl LaterBuilder {
    /// `idle` fires once per [`Self::when_idle`].
    pub fn new(idle: Callback<()>) -> Self {
        let pending: Rc<Cell<Option<Pending>>> = Rc::default();
        let on_idle = {
            let pending = pending.clone();
            Closure::<dyn FnMut()>::new(move || {
                pending.set(None);
                idle.emit(());
            })
        };
        LaterBuilder { on_idle, pending }
    }

    /// Asks for the next idle period, unless one is asked for already.
    pub fn when_idle(&self) {
        let Some(window) = web_sys::window() else { return };
        if self.pending.get().is_some() {
            return;
        }
        let callback = self.on_idle.as_ref().unchecked_ref();
        // A main thread that is never idle (a slow or busy machine) still gets the panels built:
        // the browser runs the callback after this many milliseconds at the latest.
        let options = js_sys::Object::new();
        crate::js::set_prop(&options, "timeout", &IDLE_TIMEOUT_MS.into());
        // A browser without requestIdleCallback throws (it is no function there): a timer instead.
        let handle = |result: Result<JsValue, JsValue>| result.ok().and_then(|h| h.as_f64());
        let pending = match handle(crate::js::call(&window, "requestIdleCallback", &[callback, &options])) {
            Some(handle) => Pending::Idle(handle),
            None => match handle(crate::js::call(&window, "setTimeout", &[callback, &50.into()])) {
                Some(handle) => Pending::Timer(handle),
                None => return,
            },
        };
        self.pending.set(Some(pending));
    }
}

impl Drop for LaterBuilder {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            match self.pending.take() {
                Some(Pending::Idle(handle)) => drop(crate::js::call(&window, "cancelIdleCallback", &[&handle.into()])),
                Some(Pending::Timer(handle)) => drop(crate::js::call(&window, "clearTimeout", &[&handle.into()])),
                None => {}
            }
        }
    }
}
