//! JSON text read strictly: like `serde_json::from_str::<Value>`, but an object that gives the
//! same key twice is refused with the key's path (`config.acks`, `faults[1].tick`) instead of
//! letting the last value win. RFC 8259 section 4 leaves duplicate names' meaning to each
//! implementation ("many implementations report the last name/value pair only"), so a file that
//! says `"messages": 3, "messages": 200` does not say one thing; the lab refuses it as it refuses
//! an unknown key.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// What is wrong with a JSON text: the path of a repeated key, or the parser's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// The repeated key's path (`messages`, `config.acks`); empty when the text is not JSON.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Parses `text` as one JSON value, refusing an object with a repeated key (compared after
/// unescaping, so `"a"` and `"\u0061"` are the same key).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict { path: String::new(), duplicate: &duplicate }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (_, Some(path)) => Err(JsonError { path, message: "given twice; each key may appear once in an object".into() }),
        (Ok(value), None) => Ok(value),
        (Err(e), None) => Err(JsonError { path: String::new(), message: format!("not valid JSON: {e}") }),
    }
}

/// Builds a `Value` at `path`, noting the first repeated key's path in `duplicate`.
struct Strict<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl Strict<'_> {
    fn child(&self, step: &str) -> Strict<'_> {
        let path = if self.path.is_empty() || step.starts_with('[') {
            format!("{}{step}", self.path)
        } else {
            format!("{}.{step}", self.path)
        };
        Strict { path, duplicate: self.duplicate }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(&format!("[{}]", items.len())))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.child(&key))?;
            if object.contains_key(&key) {
                let path = self.child(&key).path;
                self.duplicate.borrow_mut().get_or_insert(path);
                return Err(de::Error::custom("a repeated key"));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
