//! The tray as a StatusNotifierItem (ksni): what a Linux panel reads over
//! D-Bus, with the menu over com.canonical.dbusmenu, and no GTK. It draws
//! the watcher's `TrayModel` and hands each click to the resident's loop.

use tokenwarden_resident::tray_model::{Action, Entry, Health, TrayModel};
use tokio::sync::mpsc;

/// The three icons, decoded once into the ARGB32 pixmaps the
/// StatusNotifierItem protocol carries (no icon file is written).
pub struct Icons {
    good: ksni::Icon,
    soon: ksni::Icon,
    bad: ksni::Icon,
}

impl Icons {
    pub fn load() -> Result<Icons, png::DecodingError> {
        Ok(Icons {
            good: pixmap(Health::Good.icon_png())?,
            soon: pixmap(Health::Soon.icon_png())?,
            bad: pixmap(Health::Bad.icon_png())?,
        })
    }

    fn of(&self, health: Health) -> &ksni::Icon {
        match health {
            Health::Good => &self.good,
            Health::Soon => &self.soon,
            Health::Bad => &self.bad,
        }
    }
}

/// A PNG (8-bit RGBA, as `src-tauri/icons/tray/` holds) as ARGB32 in
/// network byte order.
fn pixmap(png_bytes: &[u8]) -> Result<ksni::Icon, png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let frame = reader.next_frame(&mut buffer)?;
    let rgba = &buffer[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    let data = rgba
        .chunks_exact(channels)
        .flat_map(|px| match *px {
            [r, g, b, a] => [a, r, g, b],
            [r, g, b] => [255, r, g, b],
            [l, a] => [a, l, l, l],
            _ => [255, px[0], px[0], px[0]],
        })
        .collect();
    Ok(ksni::Icon {
        width: i32::try_from(frame.width).unwrap_or(0),
        height: i32::try_from(frame.height).unwrap_or(0),
        data,
    })
}

pub struct SniTray {
    pub model: TrayModel,
    pub icons: Icons,
    /// Where clicks go: the resident's loop.
    pub actions: mpsc::UnboundedSender<Action>,
}

impl ksni::Tray for SniTray {
    fn id(&self) -> String {
        "tokenwarden".into()
    }

    fn title(&self) -> String {
        "Tokenwarden".into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        vec![self.icons.of(self.model.health).clone()]
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.model.tooltip.clone(),
            ..Default::default()
        }
    }

    /// Linux panels send a left click here: the menu holds everything, so
    /// the click opens the window, as "Open Tokenwarden" does.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.actions.send(Action::OpenHome);
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::{MenuItem, StandardItem};
        self.model
            .menu
            .iter()
            .map(|entry| match entry {
                Entry::Separator => MenuItem::Separator,
                Entry::Inert { label, .. } => StandardItem {
                    label: escaped(label),
                    enabled: false,
                    ..Default::default()
                }
                .into(),
                Entry::Item { id, label } => {
                    let action = Action::from_id(id);
                    StandardItem {
                        label: escaped(label),
                        activate: Box::new(move |tray: &mut SniTray| {
                            if let Some(action) = action.clone() {
                                let _ = tray.actions.send(action);
                            }
                        }),
                        ..Default::default()
                    }
                    .into()
                }
            })
            .collect()
    }
}

/// dbusmenu reads one underscore as an access key: a token named
/// `deploy_bot` must show as written.
fn escaped(label: &str) -> String {
    label.replace('_', "__")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksni::Tray as _;
    use tokenwarden_core::catalogue::Simulated;

    #[test]
    fn the_icons_are_the_tray_pictures_as_argb() {
        let icons = Icons::load().expect("the embedded PNGs decode");
        for health in [Health::Good, Health::Soon, Health::Bad] {
            let icon = icons.of(health);
            assert_eq!((icon.width, icon.height), (64, 64));
            assert_eq!(icon.data.len(), 64 * 64 * 4);
        }
        assert_ne!(icons.good.data, icons.bad.data, "each state has its look");
    }

    #[test]
    fn the_menu_draws_the_model_in_order_and_clicks_reach_the_loop() {
        let (actions, mut clicked) = mpsc::unbounded_channel();
        let simulated = Simulated::parse("github=http://127.0.0.1:9").unwrap();
        let mut tray = SniTray {
            model: TrayModel::starting(&simulated),
            icons: Icons::load().unwrap(),
            actions,
        };
        let menu = tray.menu();
        let labels: Vec<String> = menu
            .iter()
            .filter_map(|item| match item {
                ksni::MenuItem::Standard(item) => Some(item.label.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            labels,
            [
                "Simulator mode: not the real services",
                "No tokens yet",
                "Check all now",
                "Open Tokenwarden",
                "Quit Tokenwarden"
            ]
        );
        let ksni::MenuItem::Standard(check_all) = &menu[3] else {
            panic!("{:?}", labels);
        };
        assert_eq!(check_all.label, "Check all now");
        (check_all.activate)(&mut tray);
        assert_eq!(clicked.try_recv().unwrap(), Action::CheckAllNow);
        assert_eq!(
            escaped("deploy_bot: 6 days left"),
            "deploy__bot: 6 days left"
        );
    }
}
