//! Browser tests: the app mounted in headless Chromium, its DOM checked.
//! Run with `make test-browser` (wasm-bindgen-test-runner drives chromedriver).
#![cfg(target_arch = "wasm32")]

use delivery_lab::{Fault, FaultSpec, Preset, Scenario, World};
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
    // The lab reads its link from the address and writes its state back there: each test starts
    // from an address without one, as a fresh page would.
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)).unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Waits (at most two seconds) until something matches `selector`: the panels below the fold are
/// built after the first paint, when the browser is idle or they come into view.
async fn built(root: &Element, selector: &str) {
    for _ in 0..100 {
        if root.query_selector(selector).unwrap().is_some() {
            return;
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
        yew::scheduler::flush().await;
    }
    panic!("{selector} was never built");
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
async fn the_shell_shows_the_stage_the_controls_and_a_ledger_row_per_message() {
    let root = mount().await;
    assert_eq!(text_of(&root, "h1"), "Kafka Delivery Lab");

    // One stage, naming every actor of PRODUCT.md.
    built(&root, ".stage-svg").await;
    assert_eq!(root.query_selector_all("svg.stage-svg").unwrap().length(), 1);
    let titles = all_texts(&root, ".stage-svg .actor-title");
    for actor in [
        "Producer application",
        "Producer client",
        "Broker · partition 0",
        "Transaction coordinator",
        "Group coordinator",
        "Consumer client",
        "Consumer application",
        "Sink",
    ] {
        assert!(titles.iter().any(|t| t == actor), "the stage lacks {actor}: {titles:?}");
    }

    built(&root, ".ledger").await;
    let headers = all_texts(&root, ".ledger thead th");
    assert_eq!(headers.first().map(String::as_str), Some("Message"));
    assert_eq!(headers.last().map(String::as_str), Some("Verdict"));
    // Before the run, each message of the default scenario has a row and nothing has happened.
    let rows = all_texts(&root, ".ledger tbody th");
    assert_eq!(rows, ["m1", "m2", "m3"]);
    assert!(all_texts(&root, ".ledger .verdict").iter().all(|v| v.contains("pending")));
}

#[wasm_bindgen_test]
async fn a_hotspot_arms_its_failure_and_the_ledger_shows_the_engines_verdicts() {
    let root = mount().await;
    let click = |selector: &str| {
        let element: web_sys::HtmlElement =
            root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).dyn_into().unwrap();
        element.click();
    };
    // SVG hotspots are <g> elements; a click event reaches them as it would from a pointer.
    built(&root, "[data-hotspot='ack-link']").await;
    let hotspot = root.query_selector("[data-hotspot='ack-link']").unwrap().unwrap();
    hotspot.dispatch_event(&web_sys::Event::new("click").unwrap()).unwrap();
    yew::scheduler::flush().await;
    click(".hotspot-panel [data-fault='drop-ack']");
    yew::scheduler::flush().await;
    assert!(hotspot.get_attribute("class").unwrap().contains("armed"));
    assert!(text_of(&root, ".armed-list").contains("Drop the ACK for m2"));

    click(".playback button[aria-keyshortcuts='E']");
    yew::scheduler::flush().await;
    built(&root, ".ledger").await;

    // The same scenario run straight through the engine.
    let scenario = Scenario::from_preset(Preset::AtLeastOnce, 3, 1)
        .with_fault(FaultSpec::for_message(Fault::DropAck, 2));
    let mut world = World::new(&scenario).unwrap();
    world.run_to_quiescence();
    let expected: Vec<String> = world.ledger().rows.iter().map(|r| r.verdict.label().to_owned()).collect();
    let shown: Vec<String> = all_texts(&root, ".ledger .verdict")
        .into_iter()
        .map(|text| text.trim_start_matches(|c: char| !c.is_ascii_alphabetic()).to_owned())
        .collect();
    assert_eq!(shown, expected);
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
    // The engine's resolution note for acks=0 is shown: Kafka switches a defaulted idempotence off.
    let notes = all_texts(&root, ".notes li");
    assert!(notes.iter().any(|n| n.starts_with("idempotence: off")), "{notes:?}");
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
    panic_overlay::remember_scenario("{\"version\": 1}");
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

    // The scenario on screen is handed back, to keep or to report.
    assert_eq!(text_of(&overlay, ".panic-scenario textarea"), "{\"version\": 1}");
    // Two ways back: the link to this scenario (the address), and the default scenario (no link).
    let links = overlay.query_selector_all("a").unwrap();
    assert_eq!(links.length(), 2);
    let href = |i: u32| links.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()).and_then(|a| a.get_attribute("href"));
    let location = web_sys::window().unwrap().location();
    assert_eq!(href(0), location.href().ok());
    assert_eq!(href(1), location.pathname().ok());
    overlay.remove();
}
