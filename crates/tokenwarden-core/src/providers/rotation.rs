//! Why a token could not rotate itself (`Provider::self_rotation`). Only
//! GitLab offers self-rotation today, so the words are GitLab's.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelfRotateError {
    #[error("This token may not rotate itself: it needs the api or self_rotate scope. Create a new token and use `tokenwarden rotate` instead.")]
    NotAllowed,
    #[error("This GitLab does not offer self-rotation (it needs GitLab 16.10 or later). Create a new token and use `tokenwarden rotate` instead.")]
    Unsupported,
    #[error("GitLab refused to rotate the token: {0}")]
    Refused(String),
    #[error("GitLab could not be asked to rotate the token: {0}. The token was not changed.")]
    Unreachable(String),
}
