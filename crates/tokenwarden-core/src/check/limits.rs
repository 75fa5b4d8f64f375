//! The longest value each field a person types may hold. Every field the
//! window or the command line hands the core is bounded here, before it is
//! parsed, stored or sent: a script in the webview (or a paste gone wrong)
//! cannot grow `tokens.json`, a request or a dialog without end. Names have
//! their own, shorter rule (`vault::name_problem`, 64 characters).

/// A token's description.
pub const DESCRIPTION: usize = 1_000;
/// An address as typed (`https://git.example.com/gitlab`) or an API base.
pub const ADDRESS: usize = 1_000;
/// The host name within an address: DNS's limit (RFC 1035).
pub const HOST_NAME: usize = 253;
/// The path of a private CA file.
pub const CA_FILE: usize = 1_000;
/// An organization, repository, project, group or workspace (GitLab's
/// nested group paths are the longest of these).
pub const PLACE: usize = 1_000;

/// A value longer than its field takes. Names the field and the limit,
/// never the value (it may be anything, a token pasted by mistake too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The {field} is {len} characters long, more than the {max} Tokenwarden accepts. Shorten it."
)]
pub struct TooLong {
    pub field: &'static str,
    pub len: usize,
    pub max: usize,
}

/// `value`, if it holds at most `max` characters.
pub fn within(field: &'static str, value: &str, max: usize) -> Result<(), TooLong> {
    let len = value.chars().count();
    if len > max {
        return Err(TooLong { field, len, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each bound takes its limit exactly and refuses one character more,
    /// counting characters (not bytes), and the words name the field and
    /// the limit.
    #[test]
    fn each_field_takes_its_limit_and_refuses_one_more() {
        for (field, max) in [
            ("description", DESCRIPTION),
            ("address", ADDRESS),
            ("host name", HOST_NAME),
            ("CA certificate file path", CA_FILE),
            ("organization", PLACE),
        ] {
            assert_eq!(within(field, &"é".repeat(max), max), Ok(()), "{field}");
            let error = within(field, &"é".repeat(max + 1), max).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "The {field} is {} characters long, more than the {max} Tokenwarden accepts. Shorten it.",
                    max + 1
                )
            );
        }
        assert_eq!(
            (DESCRIPTION, ADDRESS, HOST_NAME, CA_FILE, PLACE),
            (1_000, 1_000, 253, 1_000, 1_000)
        );
    }
}
