//! Kafka Delivery Lab, the web app: yew components that draw the engine's world and dispatch actions
//! to it. The app decides no outcome; every verdict comes from the `delivery_lab` engine crate.

pub mod explorer_protocol;
pub mod js;
pub mod lab;
pub mod num;
pub mod page;
pub mod panic_overlay;
pub mod ui;

/// Mounts the lab into the page's `#app` element (or the body when there is none).
pub fn start() {
    panic_overlay::install();
    match js::by_id("app") {
        Some(root) => {
            // The static "Loading…" text is replaced, not kept beside the app.
            root.set_inner_html("");
            yew::Renderer::<ui::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<ui::App>::new().render();
        }
    }
}

/// The document's root element (`<html>`), read as a property (see `js::prop`).
pub(crate) fn page_root() -> Option<web_sys::Element> {
    let root = js::prop(&page_document(), "documentElement");
    root.is_object().then(|| wasm_bindgen::JsCast::unchecked_into(root))
}

pub(crate) fn page_document() -> web_sys::Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect("the lab runs in a page with a document")
}

/// The WebAssembly heap (page and worker): Talc, growing the memory as it needs (see Cargo.toml).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static HEAP: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
