//! Browser tests: the app mounted in headless Chromium, its DOM checked.
//! Run with `make test-browser` (wasm-bindgen-test-runner drives chromedriver).
#![cfg(target_arch = "wasm32")]

use delivery_lab::Preset;
use kafka_delivery_lab::panic_overlay;
use kafka_delivery_lab::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh app in its own element and waits until yew has rendered it.
async fn mount() -> Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

fn text_of(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

fn all_texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default().trim().to_owned())
        .collect()
}

#[wasm_bindgen_test]
async fn the_shell_shows_the_stage_the_controls_and_an_empty_ledger() {
    let root = mount().await;
    assert_eq!(text_of(&root, "h1"), "Kafka Delivery Lab");

    // Both orientations of the stage name every actor of PRODUCT.md, left to right.
    let titles = all_texts(&root, ".stage-wide .actor-title");
    for actor in [
        "Producer application",
        "Producer client",
        "Broker · partition 0",
        "Consumer client",
        "Consumer application",
        "Sink",
    ] {
        assert!(titles.iter().any(|t| t == actor), "the stage lacks {actor}: {titles:?}");
    }
    assert_eq!(
        all_texts(&root, ".stage-wide .actor-title"),
        all_texts(&root, ".stage-tall .actor-title"),
        "the narrow stage must show the same actors as the wide one"
    );

    let headers = all_texts(&root, ".ledger th");
    assert_eq!(headers.first().map(String::as_str), Some("Message"));
    assert_eq!(headers.last().map(String::as_str), Some("Verdict"));
    assert!(text_of(&root, ".ledger .empty").contains("No run yet"));
}

#[wasm_bindgen_test]
async fn the_preset_menu_lists_the_engines_presets_and_switching_updates_the_summary() {
    let root = mount().await;
    let select: HtmlSelectElement =
        root.query_selector("select#preset").unwrap().unwrap().dyn_into().unwrap();

    let values: Vec<String> = (0..select.length())
        .map(|i| select.item(i).unwrap().get_attribute("value").unwrap())
        .collect();
    let expected: Vec<String> = Preset::ALL.iter().map(|p| p.slug().to_owned()).collect();
    assert_eq!(values, expected);
    // PRODUCT.md's learner starts from at-least-once.
    assert_eq!(select.value(), "at-least-once");

    select.set_value(Preset::AtMostOnce.slug());
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;

    assert_eq!(text_of(&root, ".preset-summary"), Preset::AtMostOnce.summary());
    let narration = root.query_selector("[aria-live]").unwrap().unwrap();
    assert!(narration.text_content().unwrap().starts_with(Preset::AtMostOnce.label()));
}

#[wasm_bindgen_test]
async fn the_theme_switch_sets_and_clears_the_root_theme() {
    let root = mount().await;
    let html = document().document_element().unwrap();
    let button = |choice: &str| -> HtmlButtonElement {
        root.query_selector(&format!("[data-theme-choice='{choice}']"))
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap()
    };

    button("dark").click();
    yew::scheduler::flush().await;
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(button("dark").get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(button("system").get_attribute("aria-pressed").as_deref(), Some("false"));

    button("light").click();
    yew::scheduler::flush().await;
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some("light"));

    button("system").click();
    yew::scheduler::flush().await;
    assert_eq!(html.get_attribute("data-theme"), None, "Auto follows the system");
}

#[wasm_bindgen_test]
fn a_panic_shows_one_overlay_with_the_message_as_text_and_a_way_back() {
    let message = "engine invariant broken: <b>offset</b> went backwards";
    panic_overlay::show(message);
    panic_overlay::show("a second panic");

    let overlays = document()
        .query_selector_all(&format!("#{}", panic_overlay::OVERLAY_ID))
        .unwrap();
    assert_eq!(overlays.length(), 1, "a second panic must not stack a second overlay");
    let overlay = document().get_element_by_id(panic_overlay::OVERLAY_ID).unwrap();
    assert_eq!(overlay.get_attribute("role").as_deref(), Some("alertdialog"));
    // The message is shown as text; it must not become markup.
    assert_eq!(text_of(&overlay, ".panic-detail"), message);
    assert!(overlay.query_selector("b").unwrap().is_none());

    let back = overlay.query_selector("a").unwrap().unwrap();
    assert_eq!(back.get_attribute("href"), web_sys::window().unwrap().location().href().ok());
    overlay.remove();
}
