//! Small bridges to browser APIs that web-sys spells differently across versions: calling a
//! method by name and awaiting its promise, sleeping, clocks, JSON.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Calls `obj.name(...args)`; awaits the result when it is a promise.
pub async fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(obj, &JsValue::from_str(name))?.dyn_into()?;
    let array = js_sys::Array::new();
    for a in args {
        array.push(a);
    }
    let out = f.apply(obj, &array)?;
    match out.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

pub async fn sleep(ms: i32) {
    let _ = JsFuture::from(timer(ms)).await;
}

/// A promise that resolves after `ms` milliseconds.
pub fn timer(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// `base` milliseconds plus up to half of it again, so that clients do not retry in lockstep.
pub fn jitter(base: i32) -> i32 {
    base + (js_sys::Math::random() * f64::from(base) / 2.0) as i32
}

pub fn to_json(v: &JsValue) -> Option<serde_json::Value> {
    let s = js_sys::JSON::stringify(v).ok()?.as_string()?;
    serde_json::from_str(&s).ok()
}

pub fn from_json(v: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap_or(JsValue::NULL)
}

pub fn describe(e: &JsValue) -> String {
    get_str(e, "message")
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Calls `obj.name(...args)` without awaiting anything.
pub fn call_sync(obj: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(obj, &JsValue::from_str(name))?.dyn_into()?;
    let array = js_sys::Array::new();
    for a in args {
        array.push(a);
    }
    f.apply(obj, &array)
}
