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
                notification
                    .action("default", "Open")
                    .action("rotate", "Rotate now");
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
                handle.wait_for_action(|action| match action {
                    "default" => on_action(NotificationAction::Open {
                        token_id: token_id.clone(),
                    }),
                    "rotate" => on_action(NotificationAction::Rotate {
                        token_id: token_id.clone(),
                    }),
                    _ => {}
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        drop((handle, &self.on_action));
        Ok(())
    }
}
