//! A downloaded file written into this site's Origin Private File System (OPFS) piece by piece as
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
/// `name` (an earlier download of the same URL, or nothing) is unchanged. Its record is opened for
/// writing along with it, so keeping the file costs as few file-system round trips as can be.
pub struct SavedFile {
    file: Entry,
    record: Entry,
    name: String,
}

/// One file of the private file system, open for writing.
struct Entry {
    folder: JsValue,
    name: String,
    handle: JsValue,
    writable: JsValue,
    /// Whether a file of this name was there before (then a failed download leaves it alone).
    existed: bool,
}

impl Entry {
    async fn open(folder: JsValue, name: String) -> Result<Self, JsValue> {
        let (handle, existed) = match call(&folder, "getFileHandle", &[name.as_str().into()]).await
        {
            Ok(handle) => (handle, true),
            Err(_) => (
                call(
                    &folder,
                    "getFileHandle",
                    &[name.as_str().into(), create_option()],
                )
                .await?,
                false,
            ),
        };
        let writable = match call(&handle, "createWritable", &[]).await {
            Ok(writable) => writable,
            Err(error) => {
                if !existed {
                    let _ = call(&folder, "removeEntry", &[name.as_str().into()]).await;
                }
                return Err(error);
            }
        };
        Ok(Self {
            folder,
            name,
            handle,
            writable,
            existed,
        })
    }

    /// The swap file goes, and so does the empty file opening created.
    async fn discard(self) {
        let _ = call(&self.writable, "abort", &[]).await;
        if !self.existed {
            let _ = call(&self.folder, "removeEntry", &[self.name.as_str().into()]).await;
        }
    }
}

impl SavedFile {
    /// Opens `name` (and its record) for writing. `Ok(None)` where this browser offers no writable
    /// OPFS here (the caller then keeps the bytes in memory); `Err` with the browser's reason when it refused.
    pub async fn create(name: &str) -> Result<Option<Self>, String> {
        if !writable_opfs_offered() {
            return Ok(None);
        }
        let folder = folder(FOLDER).await.map_err(|e| reason(&e))?;
        let records = call(
            &folder,
            "getDirectoryHandle",
            &[RECORDS.into(), create_option()],
        )
        .await
        .map_err(|e| reason(&e))?;
        let file = Entry::open(folder, name.to_owned())
            .await
            .map_err(|e| reason(&e))?;
        let record = match Entry::open(records, format!("{name}.json")).await {
            Ok(record) => record,
            Err(error) => {
                file.discard().await;
                return Err(reason(&error));
            }
        };
        Ok(Some(Self {
            file,
            record,
            name: name.to_owned(),
        }))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Appends one chunk; resolves once the browser has taken it (the body waits meanwhile).
    pub async fn write(&self, chunk: &Uint8Array) -> Result<(), String> {
        self.start_write(chunk)?
            .await
            .map(drop)
            .map_err(|e| reason(&e))
    }

    /// Starts appending `bytes`; the future settles once the browser has written them. Until it
    /// has, `bytes` must stay untouched (the stream reads them when their turn comes).
    pub fn start_write(&self, bytes: &Uint8Array) -> Result<JsFuture, String> {
        let writable = &self.file.writable;
        let write: Function = Reflect::get(writable, &"write".into())
            .and_then(|f| f.dyn_into())
            .map_err(|e| reason(&e))?;
        let promise = write.call1(writable, bytes).map_err(|e| reason(&e))?;
        Ok(JsFuture::from(Promise::resolve(&promise)))
    }

    /// Makes the file visible under its name (replacing an earlier download of the same URL) and
    /// records `url`, its size, modification time and `sha256` beside it.
    pub async fn keep(self, url: &str, sha256_hex: &str) -> Result<(), String> {
        if let Err(error) = call(&self.file.writable, "close", &[]).await {
            let message = reason(&error);
            self.discard().await;
            return Err(message);
        }
        // A missing record only makes the listing say "not checked", so the file is kept anyway.
        if self.write_record(url, sha256_hex).await.is_err() {
            self.record.discard().await;
        }
        Ok(())
    }

    async fn write_record(&self, url: &str, sha256_hex: &str) -> Result<(), JsValue> {
        let file = call(&self.file.handle, "getFile", &[]).await?;
        let record = object(&[
            ("url", url.into()),
            ("bytes", Reflect::get(&file, &"size".into())?),
            ("lastModified", Reflect::get(&file, &"lastModified".into())?),
            ("sha256", sha256_hex.into()),
        ]);
        let text = JSON::stringify(&record)?;
        call(&self.record.writable, "write", &[text.into()]).await?;
        call(&self.record.writable, "close", &[]).await?;
        Ok(())
    }

    /// Throws the written bytes away: the swap files go, and so do the empty file and record this
    /// download created (an earlier complete download of the same URL stays, with its record).
    pub async fn discard(self) {
        futures::join!(self.file.discard(), self.record.discard());
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
pub(super) fn reason(error: &JsValue) -> String {
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
