//! A tray the way the resident watcher would hold one on Linux: a
//! StatusNotifierItem and its dbusmenu, served by ksni on one thread, with
//! a menu as long as a 100-token vault's. It does nothing else, so its
//! memory is the tray's share of a resident process's.

use ksni::TrayMethods;

/// How many token lines the menu lists (the benchmark vault's size).
const TOKENS: usize = 100;

struct Probe {
    lines: Vec<String>,
}

impl ksni::Tray for Probe {
    fn id(&self) -> String {
        "tokenwarden-tray-probe".into()
    }

    fn icon_name(&self) -> String {
        "dialog-password".into()
    }

    fn title(&self) -> String {
        "Tokenwarden tray probe".into()
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::{MenuItem, StandardItem};
        let mut items: Vec<MenuItem<Self>> = self
            .lines
            .iter()
            .map(|line| {
                StandardItem {
                    label: line.clone(),
                    ..Default::default()
                }
                .into()
            })
            .collect();
        items.push(MenuItem::Separator);
        items.push(
            StandardItem {
                label: "Quit".into(),
                activate: Box::new(|_| std::process::exit(0)),
                ..Default::default()
            }
            .into(),
        );
        items
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let lines = (0..TOKENS)
        .map(|i| format!("token-{i:03}: {} days left", i + 2))
        .collect();
    let _tray = match (Probe { lines }).spawn().await {
        Ok(tray) => tray,
        Err(error) => {
            eprintln!("tray-probe: no tray: {error}");
            std::process::exit(1);
        }
    };
    // Serve the tray until killed (run.sh measures, then stops it).
    std::future::pending::<()>().await;
}
