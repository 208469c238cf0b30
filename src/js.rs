//! JS values and JSON: the page and the explorer's worker read a message's data as it is (a JS
//! object) into a `serde_json::Value`, without a JSON text parser in their WebAssembly.

use wasm_bindgen::{JsCast, JsValue};

/// The deepest nesting read from a JS value (a host command needs 4; the engine refuses past 16).
const MAX_JS_DEPTH: usize = 32;

/// A JS value (already known to be JSON data) as JSON, reading it directly rather than through
/// text: the page then carries no JSON text parser. Keys whose values JSON.stringify drops
/// (`undefined`, functions) are left out, as it leaves them out.
pub fn js_to_json(value: &JsValue, depth: usize) -> Option<serde_json::Value> {
    use serde_json::Value;
    if depth > MAX_JS_DEPTH {
        return None;
    }
    if value.is_null() {
        return Some(Value::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Some(Value::Bool(flag));
    }
    if let Some(number) = value.as_f64() {
        // JSON.stringify writes a non-finite number as null.
        let whole = number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0;
        return Some(if whole { Value::from(number as i64) } else { serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number) });
    }
    if let Some(text) = value.as_string() {
        return Some(Value::String(text));
    }
    if js_sys::Array::is_array(value) {
        let items = js_sys::Array::from(value);
        // JSON.stringify writes `undefined` and functions in an array as null.
        let item = |item: JsValue| match item.is_undefined() || item.is_function() {
            true => Some(Value::Null),
            false => js_to_json(&item, depth + 1),
        };
        return items.iter().map(item).collect::<Option<Vec<_>>>().map(Value::Array);
    }
    if !value.is_object() {
        return None;
    }
    let mut map = serde_json::Map::new();
    for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
        let item = js_sys::Reflect::get(value, &key).ok()?;
        if item.is_undefined() || item.is_function() {
            continue;
        }
        map.insert(key.as_string()?, js_to_json(&item, depth + 1)?);
    }
    Some(Value::Object(map))
}


/// A JSON value as the JS value `postMessage` sends (the browser's JSON.parse of its text).
pub fn json_to_js(value: &serde_json::Value) -> Option<JsValue> {
    js_sys::JSON::parse(&value.to_string()).ok()
}

/// JSON text indented by two spaces, as `serde_json::to_string_pretty` writes it. In the browser
/// the browser's own `JSON.stringify` indents it, so the page's WebAssembly carries no second
/// (pretty) JSON writer beside the compact one it needs anyway.
pub fn pretty(value: &serde_json::Value) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let compact = value.to_string();
        let indented = js_sys::JSON::parse(&compact)
            .ok()
            .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, &JsValue::from(2)).ok())
            .and_then(|s| s.as_string());
        indented.unwrap_or(compact)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }
}
