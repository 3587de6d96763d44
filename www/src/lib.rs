//! The iamplay browser playground: a Yew shell around the `iamplay` core.
//!
//! The core evaluates; this crate only keeps UI state (`state`), turns the core's data into
//! words (`present`) and draws them (`app`, wasm32 only). Natively the crate is just the
//! pure modules, so their tests run with `cargo test --workspace` without building Yew.

pub mod examples;
pub mod highlight;
pub mod persist;
pub mod present;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod catalog_view;
#[cfg(target_arch = "wasm32")]
pub mod editor;
#[cfg(target_arch = "wasm32")]
pub mod effects;

#[cfg(target_arch = "wasm32")]
pub mod bench;
#[cfg(target_arch = "wasm32")]
pub mod yaml_bridge;

#[cfg(target_arch = "wasm32")]
pub use app::App;

/// Mounts the app into `#app`. Called by `boot.js` after `init()`; not a
/// `#[wasm_bindgen(start)]`, so that linking this crate into the in-browser tests does not
/// mount anything by itself. A share link in the address bar is unpacked first (the
/// browser's decompressor is asynchronous), so the first render already shows it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn run() {
    yaml_bridge::install();
    wasm_bindgen_futures::spawn_local(async {
        if let Some(fragment) = effects::fragment() {
            let link = effects::open_link(&fragment).await;
            if link.is_ok() {
                effects::clear_fragment();
            }
            effects::set_startup_link(Some(link));
        }
        let document = web_sys::window().and_then(|w| w.document()).expect("a document");
        let root = document.get_element_by_id("app").expect("an element with id `app`");
        yew::Renderer::<App>::with_root(root).render();
    });
}
