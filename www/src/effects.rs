//! Every side effect of the page, in one place: local storage, the URL fragment, the
//! clipboard, file download and upload. Each returns data or dispatches an `Action`; none
//! changes the state directly.

use iamplay::share;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Storage, Url};

use crate::examples::{self, Example};
use crate::persist::{Loaded, Persisted, KEY};

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved state, if any. A state saved by a newer build is first copied aside under
/// `iamplay.state.vN`, so that this build's saves cannot destroy it.
pub fn load_stored() -> Option<String> {
    let storage = storage()?;
    let raw = storage.get_item(KEY).ok().flatten()?;
    if let Loaded::Newer(v) = Persisted::load(&raw) {
        let aside = format!("{KEY}.v{v}");
        if storage.get_item(&aside).ok().flatten().is_none() {
            let _ = storage.set_item(&aside, &raw);
        }
    }
    Some(raw)
}

/// Saves the work now, synchronously: nothing waits for an unload event, so a crashed or
/// killed tab loses at most the change being drawn. False when local storage is
/// unavailable (disabled, private mode) or refuses (quota exceeded).
pub fn save(persisted: &Persisted) -> bool {
    storage().is_some_and(|s| s.set_item(KEY, &persisted.to_json()).is_ok())
}

/// The page's fragment (`#s=1....`), when it holds a share link.
pub fn fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.contains("s=").then_some(hash)
}

/// Removes the fragment without a reload or a history entry: once a link is opened, the
/// saved state holds the scenario, and a reload must not open the link over later edits.
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let url = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/compress.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn deflate_raw(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn inflate_raw(bytes: &[u8], limit: f64) -> Result<JsValue, JsValue>;
}

/// Opens a share link as `share::decode` does, with the browser's decompressor.
pub async fn open_link(link: &str) -> Result<String, share::LinkError> {
    let compressed = share::unwrap(link)?;
    match inflate_raw(&compressed, share::MAX_SCENARIO_BYTES as f64).await {
        Ok(bytes) => share::text_of(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(why) if why.as_string().as_deref() == Some("too-large") => Err(share::too_large()),
        Err(_) => Err(share::damaged()),
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/files.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn fetch_text(path: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn sleep(ms: i32) -> Result<JsValue, JsValue>;
}

/// Waits as long as a pause in typing on a long scenario file lasts (`state::DEFERRED_TEXT`).
pub async fn pause() {
    let _ = sleep(crate::state::DEFERRED_PAUSE_MS).await;
}

/// The gallery's examples, fetched from `examples/` beside the page.
pub async fn load_examples() -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for id in examples::IDS {
        let path = format!("examples/{id}.json");
        let text = fetch_text(&path).await.map_err(|e| e.as_string().unwrap_or_else(|| format!("{path} could not be fetched")))?;
        out.push(Example { id: id.to_string(), text: text.as_string().unwrap_or_default() });
    }
    Ok(out)
}

thread_local! {
    /// The link the page was opened with, unpacked before the first render (`crate::run`).
    static STARTUP_LINK: std::cell::RefCell<Option<Result<String, share::LinkError>>> = const { std::cell::RefCell::new(None) };
}

pub fn set_startup_link(link: Option<Result<String, share::LinkError>>) {
    STARTUP_LINK.with(|l| *l.borrow_mut() = link);
}

pub fn take_startup_link() -> Option<Result<String, share::LinkError>> {
    STARTUP_LINK.with(|l| l.borrow_mut().take())
}

/// The share link for a scenario: this page with the scenario in the fragment.
pub async fn share_url(scenario: &str) -> Result<String, String> {
    let deflated = deflate_raw(scenario).await.map_err(|e| e.as_string().unwrap_or_else(|| "the browser could not compress it".into()))?;
    let deflated = js_sys::Uint8Array::new(&deflated).to_vec();
    let location = web_sys::window().map(|w| w.location());
    let base = location.map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default())).unwrap_or_default();
    Ok(format!("{base}#{}", share::fragment_from_deflated(&deflated)))
}

/// Copies text to the clipboard; `Err` with a reason when the browser refuses.
pub async fn copy(text: String) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = window.navigator().clipboard();
    JsFuture::from(clipboard.write_text(&text)).await.map(|_| ()).map_err(|e| e.as_string().unwrap_or_else(|| "the browser refused".into()))
}

/// Offers text as a file download.
pub fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Url::revoke_object_url(&url)?;
    Ok(())
}

/// The largest file the page imports: a scenario is text, rarely more than a few KB.
pub const MAX_IMPORT_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Reads a dropped or chosen file as text.
pub async fn read_file(file: File) -> Result<String, String> {
    if file.size() > MAX_IMPORT_BYTES {
        return Err(format!("`{}` is larger than 4 MB: a scenario file is much smaller", file.name()));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("`{}` could not be read", file.name()))?;
    text.as_string().ok_or_else(|| format!("`{}` is not text", file.name()))
}
