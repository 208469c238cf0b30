//! Saving text the page made (a diagram, a run) as a file, without any request: a Blob, an
//! object URL and a temporary link.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `text` for download as `filename`. Returns whether the browser accepted it.
pub fn download(filename: &str, mime: &str, text: &str) -> bool {
    save(filename, mime, text).is_ok()
}

fn save(filename: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let document = crate::page_document();
    let link: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    Url::revoke_object_url(&url)?;
    Ok(())
}
