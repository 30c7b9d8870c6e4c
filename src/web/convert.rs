//! Rust values → plain JS objects (no serde: a few fields, and the module stays small).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsError, JsValue};

use crate::exec::cpu::CpuRun;
use crate::model::cpu_params::{CpuParams, FieldError};
use crate::model::schema::{ErrorAt, Field, Max};
use crate::model::url_list::{LineError, UrlLine};

pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        Reflect::set(&object, &JsValue::from_str(key), value).expect("plain object property");
    }
    object.into()
}

/// Adds one field to an object made by [`object`].
pub fn set(object: &JsValue, key: &str, value: JsValue) {
    Reflect::set(object, &JsValue::from_str(key), &value).expect("plain object property");
}

pub fn checked_params(checked: Result<CpuParams, Vec<FieldError>>) -> JsValue {
    match checked {
        Ok(p) => object(&[
            ("ok", true.into()),
            (
                "params",
                object(&[
                    ("tasks", p.tasks.into()),
                    ("n", (p.n as f64).into()),
                    ("threads", p.threads.into()),
                    ("chunks", p.chunks.into()),
                ]),
            ),
        ]),
        Err(errors) => field_errors(&errors),
    }
}

/// `{ ok: false, errors: [{ field, message }] }`.
pub fn field_errors(errors: &[FieldError]) -> JsValue {
    let list: Array = errors
        .iter()
        .map(|e| {
            object(&[
                ("field", e.field.into()),
                ("message", e.message.as_str().into()),
            ])
        })
        .collect();
    object(&[("ok", false.into()), ("errors", list.into())])
}

pub fn input_error(errors: Vec<FieldError>) -> JsError {
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    JsError::new(&messages.join(" "))
}

pub fn cpu_run(run: &CpuRun) -> JsValue {
    let results: Array = run
        .results
        .iter()
        .map(|sum| JsValue::from_str(&sum.to_string()))
        .collect();
    let spans: Array = run
        .timeline
        .spans
        .iter()
        .map(|s| {
            object(&[
                ("worker", s.worker.into()),
                ("task", s.task.into()),
                ("chunk", s.chunk.into()),
                ("rangeStart", (s.range.start as f64).into()),
                ("rangeEnd", (s.range.end as f64).into()),
                ("startMs", s.start_ms.into()),
                ("endMs", s.end_ms.into()),
            ])
        })
        .collect();
    object(&[
        ("results", results.into()),
        ("wallMs", run.wall_ms.into()),
        ("spans", spans.into()),
    ])
}

pub fn checked_urls(checked: Result<Vec<UrlLine>, Vec<LineError>>) -> JsValue {
    match checked {
        Ok(urls) => {
            let list: Array = urls
                .iter()
                .map(|u| object(&[("line", u.line.into()), ("url", u.url.as_str().into())]))
                .collect();
            object(&[("ok", true.into()), ("urls", list.into())])
        }
        Err(errors) => {
            let list: Array = errors
                .iter()
                .map(|e| object(&[("line", e.line.into()), ("message", e.to_string().into())]))
                .collect();
            object(&[("ok", false.into()), ("errors", list.into())])
        }
    }
}

/// The schema's fields as plain objects (see `fieldSchema`).
pub fn fields(fields: &[Field]) -> JsValue {
    let optional = |value: Option<f64>| value.map_or(JsValue::NULL, JsValue::from);
    fields
        .iter()
        .map(|f| {
            let choices: Array = f
                .choices
                .iter()
                .map(|c| object(&[("value", c.value.into()), ("label", c.label.into())]))
                .collect();
            let error_id = match f.error {
                ErrorAt::Own => format!("{}-error", f.id).into(),
                ErrorAt::Shared(id) => id.into(),
                ErrorAt::None => JsValue::NULL,
            };
            let fixed_max = match f.max {
                Max::Fixed(max) => Some(max),
                _ => None,
            };
            let per_core = match f.max {
                Max::PerCore(k) => Some(f64::from(k)),
                _ => None,
            };
            object(&[
                ("id", f.id.into()),
                ("key", f.key.into()),
                ("name", f.name.into()),
                ("api", f.api.into()),
                ("group", f.group.into()),
                ("label", f.label.into()),
                ("kind", f.kind.name().into()),
                ("default", f.default.map_or(JsValue::NULL, JsValue::from)),
                ("perDevice", f.per_device.into()),
                ("min", optional(f.min)),
                ("max", optional(fixed_max)),
                ("maxPerCore", optional(per_core)),
                ("maxBelowTasks", (f.max == Max::BelowTasks).into()),
                ("step", optional(f.step)),
                ("hint", f.hint_text().into()),
                (
                    "hintId",
                    f.hint_id
                        .map_or_else(|| format!("{}-hint", f.id), str::to_owned)
                        .into(),
                ),
                ("placeholder", f.placeholder.into()),
                ("choices", choices.into()),
                ("errorId", error_id),
                ("wide", f.wide.into()),
                (
                    "onlyWhen",
                    f.only_when.map_or(JsValue::NULL, |(id, value)| {
                        object(&[("id", id.into()), ("value", value.into())])
                    }),
                ),
            ])
        })
        .collect::<Array>()
        .into()
}
