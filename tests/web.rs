//! The wasm boundary in headless Chromium (`cargo test --target wasm32-unknown-unknown`).
//!
//! The tests run in a dedicated worker, as the page's processes do: a rayon run blocks its caller,
//! which the page's main thread must never be.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use playground::kernels::sum_squares::sum_of_squares_formula;
use playground::web;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn strings(value: &JsValue) -> Vec<String> {
    value
        .unchecked_ref::<Array>()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn check_cpu_input_reports_each_field() {
    let ok = web::check_cpu_input("4", "10_000_000", "2", "1", 2);
    assert_eq!(get(&ok, "ok"), JsValue::TRUE);
    assert_eq!(get(&get(&ok, "params"), "n").as_f64(), Some(1e7));

    let bad = web::check_cpu_input("0", "x", "3", "1", 2);
    assert_eq!(get(&bad, "ok"), JsValue::FALSE);
    let fields: Vec<String> = get(&bad, "errors")
        .unchecked_ref::<Array>()
        .iter()
        .map(|e| get(&e, "field").as_string().unwrap())
        .collect();
    assert_eq!(fields, ["tasks", "n", "threads"]);
}

#[wasm_bindgen_test]
fn a_sequential_run_returns_exact_decimal_strings_and_spans() {
    let run = web::run_cpu("4", "10000000", "2", false).unwrap();
    let expected = sum_of_squares_formula(10_000_000).to_string();
    assert_eq!(expected, "333333283333335000000");
    assert_eq!(strings(&get(&run, "results")), vec![expected; 4]);
    let spans = get(&run, "spans").unchecked_into::<Array>();
    assert_eq!(spans.length(), 8);
    assert!(get(&run, "wallMs").as_f64().unwrap() > 0.0);
}

#[wasm_bindgen_test]
fn bad_arguments_to_a_run_become_an_error_message() {
    assert!(web::run_cpu("4", "0", "1", false).is_err());
}

#[wasm_bindgen_test]
fn control_words_are_aligned_for_atomics() {
    let addresses = web::control_addresses();
    assert_eq!(addresses[0] % 4, 0, "Int32Array needs 4-byte alignment");
    assert_eq!(addresses[1] % 8, 0, "BigUint64Array needs 8-byte alignment");
}

// That the code panes show the real files is tests/page/sources.test.mjs: the exports name paths
// now, and that test compares each pane with the file on disk.

#[wasm_bindgen_test]
async fn threads_run_on_a_real_pool_of_web_workers() {
    JsFuture::from(web::init_thread_pool(2)).await.unwrap();
    let run = web::run_cpu("4", "2000000", "4", true).unwrap();
    let expected = sum_of_squares_formula(2_000_000).to_string();
    assert_eq!(strings(&get(&run, "results")), vec![expected; 4]);
    let mut workers: Vec<u32> = get(&run, "spans")
        .unchecked_ref::<Array>()
        .iter()
        .map(|s| get(&s, "worker").as_f64().unwrap() as u32)
        .collect();
    workers.sort_unstable();
    workers.dedup();
    assert_eq!(workers, [0, 1], "both pool threads ran chunks");
    assert!(web::tiny_job_micros(100) > 0.0);
}
