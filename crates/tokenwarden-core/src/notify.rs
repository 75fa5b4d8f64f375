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

/// The answers a notification about a token offers as buttons (where the
/// platform has them), besides "Open", its click.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answers {
    /// An expiry reminder: "Rotate now", "Remind me tomorrow / next week",
    /// "I rotated it".
    #[default]
    Reminder,
    /// A token that broke: "Rotate now" only. Pausing or silencing
    /// reminders is about its expiry, not about what broke.
    Breakage,
}

impl Answers {
    /// (action key, button label) of each button, in order.
    pub fn buttons(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Answers::Reminder => &[
                ("default", "Open"),
                ("rotate", "Rotate now"),
                ("snooze-day", "Remind me tomorrow"),
                ("snooze-week", "Remind me next week"),
                ("handled", "I rotated it"),
            ],
            Answers::Breakage => &[("default", "Open"), ("rotate", "Rotate now")],
        }
    }
}

pub type ActionHandler = Arc<dyn Fn(NotificationAction) + Send + Sync>;

pub trait Notifier: Send + Sync {
    /// Shows `notification`; one about a token offers `Answers::Reminder`.
    fn notify(&self, notification: &DesktopNotification) -> Result<(), NotifyError>;

    /// Shows `notification` offering `answers` (where the platform has
    /// buttons; elsewhere as `notify`).
    fn notify_offering(
        &self,
        notification: &DesktopNotification,
        answers: Answers,
    ) -> Result<(), NotifyError> {
        let _ = answers;
        self.notify(notification)
    }
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
        self.notify_offering(n, Answers::Reminder)
    }

    fn notify_offering(
        &self,
        n: &DesktopNotification,
        answers: Answers,
    ) -> Result<(), NotifyError> {
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
                for (key, label) in answers.buttons() {
                    notification.action(key, label);
                }
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
        drop((handle, &self.on_action, answers));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Answers, NotificationAction};

    #[test]
    fn a_breakage_offers_open_and_rotate_and_a_reminder_every_answer() {
        let labels = |answers: Answers| -> Vec<&str> {
            answers.buttons().iter().map(|(_, label)| *label).collect()
        };
        assert_eq!(labels(Answers::Breakage), ["Open", "Rotate now"]);
        assert_eq!(
            labels(Answers::Reminder),
            [
                "Open",
                "Rotate now",
                "Remind me tomorrow",
                "Remind me next week",
                "I rotated it"
            ]
        );
        for answers in [Answers::Reminder, Answers::Breakage] {
            for (key, label) in answers.buttons() {
                assert!(
                    NotificationAction::from_key(key, "t").is_some(),
                    "{label} stands for an answer"
                );
            }
        }
    }

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
