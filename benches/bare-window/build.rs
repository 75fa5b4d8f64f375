//! Embeds tauri.conf.json and dist/, and declares the one command the page
//! calls, so that it gets an `allow-startup-mark` permission.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&["startup_mark"]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
