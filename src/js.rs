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
    // `Array.isArray(value)`, `Object.keys(value)`.
    let of = |class: &str, method: &str| call(&global(class), method, &[value]).unwrap_or(JsValue::UNDEFINED);
    if of("Array", "isArray").as_bool() == Some(true) {
        // JSON.stringify writes `undefined` and functions in an array as null.
        let item = |item: JsValue| match item.is_undefined() || item.is_function() {
            true => Some(Value::Null),
            false => js_to_json(&item, depth + 1),
        };
        return items(value).map(item).collect::<Option<Vec<_>>>().map(Value::Array);
    }
    if !value.is_object() {
        return None;
    }
    let mut map = serde_json::Map::new();
    for key in items(&of("Object", "keys")) {
        let item = js_sys::Reflect::get(value, &key).ok()?;
        if item.is_undefined() || item.is_function() {
            continue;
        }
        map.insert(key.as_string()?, js_to_json(&item, depth + 1)?);
    }
    Some(Value::Object(map))
}


/// The items of a JS array, by index (no array iterator: fewer imports).
fn items(array: &JsValue) -> impl Iterator<Item = JsValue> + '_ {
    (0..prop_f64(array, "length") as u32).map(|i| js_sys::Reflect::get(array, &i.into()).unwrap_or(JsValue::UNDEFINED))
}

/// A JSON value as the JS value `postMessage` sends (the browser's JSON.parse of its text).
pub fn json_to_js(value: &serde_json::Value) -> Option<JsValue> {
    call(&global("JSON"), "parse", &[&value.to_string().into()]).ok()
}

/// JSON text indented by two spaces, as `serde_json::to_string_pretty` writes it. In the browser
/// the browser's own `JSON.stringify` indents it, so the page's WebAssembly carries no second
/// (pretty) JSON writer beside the compact one it needs anyway.
pub fn pretty(value: &serde_json::Value) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let compact = value.to_string();
        let json = global("JSON");
        let indented = call(&json, "parse", &[&compact.as_str().into()])
            .and_then(|v| call(&json, "stringify", &[&v, &JsValue::NULL, &2.into()]))
            .ok()
            .and_then(|s| s.as_string());
        indented.unwrap_or(compact)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }
}

/// A property of a JS object, read by its name (`undefined` when it has none): the page reads the
/// properties it needs once or twice through this one import rather than one import, and one
/// function of JS glue, each (the page's size budget).
#[inline(never)]
pub fn prop(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A number property ([`prop`]); 0 when it is not a number.
pub fn prop_f64(target: &JsValue, name: &str) -> f64 {
    prop(target, name).as_f64().unwrap_or(0.0)
}

/// A boolean property ([`prop`]); false when it is not `true`.
pub fn prop_bool(target: &JsValue, name: &str) -> bool {
    prop(target, name).as_bool().unwrap_or(false)
}

/// A string property ([`prop`]); empty when it is not a string.
pub fn prop_string(target: &JsValue, name: &str) -> String {
    prop(target, name).as_string().unwrap_or_default()
}

/// Sets a property of a JS object by its name (see [`prop`]).
#[inline(never)]
pub fn set_prop(target: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(name), value);
}

/// Calls a method of a JS object by its name (see [`prop`]): what it returned, or what it threw.
#[inline(never)]
pub fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let args: js_sys::Array = args.iter().copied().collect();
    let function: js_sys::Function = prop(target, method).unchecked_into();
    js_sys::Reflect::apply(&function, target, &args)
}

/// A method's result that is an element (or null): the element, if any.
pub fn element(result: Result<JsValue, JsValue>) -> Option<web_sys::Element> {
    result.ok().filter(JsValue::is_object).map(JsCast::unchecked_into)
}

/// An attribute of an element (`getAttribute`), if it has it.
pub fn attribute(element: &JsValue, name: &str) -> Option<String> {
    call(element, "getAttribute", &[&name.into()]).ok().and_then(|v| v.as_string())
}

/// The nearest ancestor-or-self of an element that matches a selector (`closest`).
pub fn closest(element: &JsValue, selector: &str) -> Option<web_sys::Element> {
    self::element(call(element, "closest", &[&selector.into()]))
}

/// The page's element of this id (`getElementById`).
pub fn by_id(id: &str) -> Option<web_sys::Element> {
    element(call(&crate::page_document(), "getElementById", &[&id.into()]))
}

/// The page's first element that matches a selector (`querySelector`).
pub fn select(selector: &str) -> Option<web_sys::Element> {
    element(call(&crate::page_document(), "querySelector", &[&selector.into()]))
}

/// Moves focus to an element (HTML or SVG: both have `focus()`).
pub fn focus(element: &JsValue) {
    let _ = call(element, "focus", &[]);
}

/// `preventDefault()` of an event.
pub fn prevent_default(event: &JsValue) {
    let _ = call(event, "preventDefault", &[]);
}

/// A global of the page (`URL`, `JSON`, `console`, a class).
pub fn global(name: &str) -> JsValue {
    prop(&js_sys::global(), name)
}

/// `new Class(...args)` of a global class (see [`call`]): the object, or what the constructor threw.
#[inline(never)]
pub fn construct(class: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let args: js_sys::Array = args.iter().copied().collect();
    let class: js_sys::Function = global(class).unchecked_into();
    js_sys::Reflect::construct(&class, &args)
}
