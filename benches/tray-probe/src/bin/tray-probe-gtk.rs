//! The other candidate for the resident watcher's tray on Linux: the tray
//! Tauri itself uses (tray-icon over GTK and libayatana-appindicator, with
//! a muda menu), in a process that links GTK but not WebKit, with the same
//! 100-line menu as `tray-probe` (ksni). `run.sh gtk` measures it the same
//! way, so the two can be compared.

use tray_icon::menu::{Menu, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIconBuilder};

/// How many token lines the menu lists (the benchmark vault's size).
const TOKENS: usize = 100;

/// A plain 32×32 square: the picture does not matter to the measurement.
fn icon() -> Icon {
    let rgba = [0x2e, 0x7d, 0x32, 0xff].repeat(32 * 32);
    Icon::from_rgba(rgba, 32, 32).expect("a 32×32 RGBA picture")
}

fn main() {
    if let Err(error) = gtk::init() {
        eprintln!("tray-probe-gtk: no display: {error}");
        std::process::exit(1);
    }
    let menu = Menu::new();
    let lines: Vec<MenuItem> = (0..TOKENS)
        .map(|i| MenuItem::new(format!("token-{i:03}: {} days left", i + 2), true, None))
        .collect();
    for line in &lines {
        menu.append(line).expect("menu line");
    }
    menu.append(&PredefinedMenuItem::separator())
        .expect("separator");
    menu.append(&MenuItem::new("Quit", true, None))
        .expect("quit line");
    let _tray = match TrayIconBuilder::new()
        .with_menu(Box::new(menu))
        .with_icon(icon())
        .with_tooltip("Tokenwarden tray probe")
        .build()
    {
        Ok(tray) => tray,
        Err(error) => {
            eprintln!("tray-probe-gtk: no tray: {error}");
            std::process::exit(1);
        }
    };
    // Serve the tray until killed (run.sh measures, then stops it).
    gtk::main();
}
