//! Desktop notifications through notify-rust: the Freedesktop
//! notification server on Linux (over D-Bus), Notification Center on macOS,
//! toast notifications on Windows. A notification carries a token's name,
//! provider and days left, and what to do; never a secret.

use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopNotification {
    pub title: String,
    pub body: String,
    /// The token it is about, handed back when the user clicks it.
    pub token_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("Desktop notifications are not available: {0}")]
    Unavailable(String),
}

/// What the user chose on a notification, where the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationAction {
    /// The notification itself was clicked: open the app on the token.
    Open { token_id: String },
    /// "Rotate now".
    Rotate { token_id: String },
    /// "Remind me tomorrow" / "Remind me next week".
    Snooze { token_id: String, days: u32 },
    /// "I rotated it": stop the alerts for this expiry.
    Handled { token_id: String },
}

impl NotificationAction {
    /// The answer a notification button (by its action key) stands for;
    /// `None` when the notification was just closed.
    pub fn from_key(key: &str, token_id: &str) -> Option<Self> {
        let token_id = token_id.to_owned();
        Some(match key {
            "default" => NotificationAction::Open { token_id },
            "rotate" => NotificationAction::Rotate { token_id },
            "snooze-day" => NotificationAction::Snooze { token_id, days: 1 },
            "snooze-week" => NotificationAction::Snooze { token_id, days: 7 },
            "handled" => NotificationAction::Handled { token_id },
            _ => return None,
        })
    }
}

pub type ActionHandler = Arc<dyn Fn(NotificationAction) + Send + Sync>;

pub trait Notifier: Send + Sync {
    fn notify(&self, notification: &DesktopNotification) -> Result<(), NotifyError>;
}

/// The platform's notification service.
pub struct SystemNotifier {
    on_action: Option<ActionHandler>,
}

impl SystemNotifier {
    pub fn new(on_action: Option<ActionHandler>) -> Self {
        SystemNotifier { on_action }
    }

    /// Whether a notification server answers, and its name, for settings.
    pub fn server() -> Result<String, NotifyError> {
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            notify_rust::get_server_information()
                .map(|info| format!("{} {}", info.name, info.version))
                .map_err(|e| NotifyError::Unavailable(e.to_string()))
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            Ok("system notifications".to_owned())
        }
    }
}

impl Notifier for SystemNotifier {
    fn notify(&self, n: &DesktopNotification) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Tokenwarden")
            .summary(&n.title)
            .body(&n.body)
            .icon("dev.tokenwarden.app");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if n.token_id.is_some() && self.on_action.is_some() {
                // Servers show as many buttons as they can (GNOME three,
                // others a menu); "default" is the click on the body.
                notification
                    .action("default", "Open")
                    .action("rotate", "Rotate now")
                    .action("snooze-day", "Remind me tomorrow")
                    .action("snooze-week", "Remind me next week")
                    .action("handled", "I rotated it");
            }
            notification.urgency(notify_rust::Urgency::Normal);
        }
        let handle = notification
            .show()
            .map_err(|e| NotifyError::Unavailable(e.to_string()))?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let (Some(token_id), Some(on_action)) = (n.token_id.clone(), self.on_action.clone()) {
            // Clicks arrive on this notification's handle; wait for them
            // off the caller's thread (the wait ends when it is closed).
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if let Some(answer) = NotificationAction::from_key(action, &token_id) {
                        on_action(answer);
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        drop((handle, &self.on_action));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationAction;

    #[test]
    fn each_button_stands_for_its_answer_and_closing_for_none() {
        let t = "tok-1";
        assert_eq!(
            NotificationAction::from_key("default", t),
            Some(NotificationAction::Open { token_id: t.into() })
        );
        assert_eq!(
            NotificationAction::from_key("rotate", t),
            Some(NotificationAction::Rotate { token_id: t.into() })
        );
        assert_eq!(
            NotificationAction::from_key("snooze-day", t),
            Some(NotificationAction::Snooze {
                token_id: t.into(),
                days: 1
            })
        );
        assert_eq!(
            NotificationAction::from_key("snooze-week", t),
            Some(NotificationAction::Snooze {
                token_id: t.into(),
                days: 7
            })
        );
        assert_eq!(
            NotificationAction::from_key("handled", t),
            Some(NotificationAction::Handled { token_id: t.into() })
        );
        assert_eq!(NotificationAction::from_key("__closed", t), None);
    }
}
