//! A downloaded file written into this site's Origin Private File System (OPFS) chunk by chunk as
//! it arrives, so the body is never held in memory; and the small record kept beside it (size,
//! modification time, SHA-256), so listing the saved files never reads them.
//!
//! Works the same on the page and in a download thread (a dedicated worker): both reach OPFS
//! through `navigator.storage`. The calls go through `Reflect` because only these few are needed.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::web::convert::object;

/// The folder of saved files, as the page's listing (www/saved-files.js) reads it.
const FOLDER: &str = "downloads";
/// Inside FOLDER: one `<name>.json` record per saved file. Saved names never start with a dot,
/// so this folder cannot collide with a file.
const RECORDS: &str = ".index";

/// One file being written. Until `keep`, the browser writes into a swap file: the file under
/// `name` (an earlier download of the same URL, or nothing) is unchanged.
pub struct SavedFile {
    folder: JsValue,
    handle: JsValue,
    writable: JsValue,
    name: String,
    /// Whether a file of this name was there before (then a failed download leaves it alone).
    existed: bool,
}

impl SavedFile {
    /// Opens `name` for writing. `Ok(None)` where this browser offers no writable OPFS here
    /// (the caller then keeps the bytes in memory); `Err` with the browser's reason when it refused.
    pub async fn create(name: &str) -> Result<Option<Self>, String> {
        if !writable_opfs_offered() {
            return Ok(None);
        }
        let folder = folder(FOLDER).await.map_err(|e| reason(&e))?;
        let existed = call(&folder, "getFileHandle", &[name.into()]).await.is_ok();
        let handle = call(&folder, "getFileHandle", &[name.into(), create_option()])
            .await
            .map_err(|e| reason(&e))?;
        let writable = match call(&handle, "createWritable", &[]).await {
            Ok(writable) => writable,
            Err(error) => {
                if !existed {
                    let _ = call(&folder, "removeEntry", &[name.into()]).await;
                }
                return Err(reason(&error));
            }
        };
        Ok(Some(Self {
            folder,
            handle,
            writable,
            name: name.to_owned(),
            existed,
        }))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Appends one chunk; resolves once the browser has taken it (the body waits meanwhile).
    pub async fn write(&self, chunk: &Uint8Array) -> Result<(), String> {
        call(&self.writable, "write", &[chunk.into()])
            .await
            .map(drop)
            .map_err(|e| reason(&e))
    }

    /// Makes the file visible under its name (replacing an earlier download of the same URL) and
    /// records `url`, its size, modification time and `sha256` beside it.
    pub async fn keep(self, url: &str, sha256_hex: &str) -> Result<(), String> {
        if let Err(error) = call(&self.writable, "close", &[]).await {
            let message = reason(&error);
            self.discard().await;
            return Err(message);
        }
        // A missing record only makes the listing say "not checked", so the file is kept anyway.
        let _ = self.record(url, sha256_hex).await;
        Ok(())
    }

    async fn record(&self, url: &str, sha256_hex: &str) -> Result<(), JsValue> {
        let file = call(&self.handle, "getFile", &[]).await?;
        let record = object(&[
            ("url", url.into()),
            ("bytes", Reflect::get(&file, &"size".into())?),
            ("lastModified", Reflect::get(&file, &"lastModified".into())?),
            ("sha256", sha256_hex.into()),
        ]);
        let text = JSON::stringify(&record)?;
        let records = call(
            &self.folder,
            "getDirectoryHandle",
            &[RECORDS.into(), create_option()],
        )
        .await?;
        let name = format!("{}.json", self.name);
        let handle = call(&records, "getFileHandle", &[name.into(), create_option()]).await?;
        let writable = call(&handle, "createWritable", &[]).await?;
        call(&writable, "write", &[text.into()]).await?;
        call(&writable, "close", &[]).await?;
        Ok(())
    }

    /// Throws the written bytes away: the swap file goes, and so does the empty file this
    /// download created (an earlier complete download of the same URL stays).
    pub async fn discard(self) {
        let _ = call(&self.writable, "abort", &[]).await;
        if !self.existed {
            let _ = call(&self.folder, "removeEntry", &[self.name.as_str().into()]).await;
        }
    }
}

/// `navigator.storage.getDirectory` and `FileSystemFileHandle.prototype.createWritable` both exist
/// (Safari, for one, offers OPFS without `createWritable` on the page).
fn writable_opfs_offered() -> bool {
    let global = js_sys::global();
    let get_directory = Reflect::get(&global, &"navigator".into())
        .and_then(|navigator| Reflect::get(&navigator, &"storage".into()))
        .and_then(|storage| Reflect::get(&storage, &"getDirectory".into()))
        .is_ok_and(|f| f.is_function());
    let create_writable = Reflect::get(&global, &"FileSystemFileHandle".into())
        .and_then(|class| Reflect::get(&class, &"prototype".into()))
        .and_then(|prototype| Reflect::has(&prototype, &"createWritable".into()))
        .unwrap_or(false);
    get_directory && create_writable
}

/// The OPFS folder `name` (created if missing).
async fn folder(name: &str) -> Result<JsValue, JsValue> {
    let storage = Reflect::get(
        &Reflect::get(&js_sys::global(), &"navigator".into())?,
        &"storage".into(),
    )?;
    let root = call(&storage, "getDirectory", &[]).await?;
    call(&root, "getDirectoryHandle", &[name.into(), create_option()]).await
}

pub(super) fn create_option() -> JsValue {
    object(&[("create", true.into())])
}

/// Calls `target.method(...args)` and awaits the promise it returns.
pub(super) async fn call(
    target: &JsValue,
    method: &str,
    args: &[JsValue],
) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    let returned = function.apply(target, &args.iter().collect::<Array>())?;
    JsFuture::from(Promise::resolve(&returned)).await
}

/// "QuotaExceededError: …" from a DOMException, or whatever the value says of itself.
fn reason(error: &JsValue) -> String {
    let field = |name: &str| {
        Reflect::get(error, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    match (field("name"), field("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (None, Some(message)) => message,
        _ => Object::from(error.clone())
            .to_string()
            .as_string()
            .unwrap_or_else(|| "unknown error".into()),
    }
}
