//! Saving text the page made (a diagram, a run) as a file, without any request: a Blob, an
//! object URL and a temporary link.

use wasm_bindgen::JsValue;

use crate::js::set_prop;

/// Offers `text` for download as `filename`. Returns whether the browser accepted it.
pub fn download(filename: &str, mime: &str, text: &str) -> bool {
    save(filename, mime, text).is_ok()
}

fn save(filename: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts: js_sys::Array = [JsValue::from_str(text)].into_iter().collect();
    let options = js_sys::Object::new();
    set_prop(&options, "type", &mime.into());
    let blob = crate::js::construct("Blob", &[&parts, &options])?;
    let url_class = crate::js::global("URL");
    let url = crate::js::call(&url_class, "createObjectURL", &[&blob])?;
    let document = crate::page_document();
    let link = document.create_element("a")?;
    set_prop(&link, "href", &url);
    set_prop(&link, "download", &filename.into());
    crate::js::call(&link, "click", &[])?;
    crate::js::call(&url_class, "revokeObjectURL", &[&url])?;
    Ok(())
}
