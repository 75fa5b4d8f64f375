//! GitHub's classic scope hierarchy: a broader scope meets a narrower
//! requirement (`admin:org` meets `read:org`), never the other way round
//! (`write:repo_hook` does not meet `admin:repo_hook`).
//! Source: docs.github.com, "Scopes for OAuth apps".

/// The scopes that directly contain `scope`.
fn parents(scope: &str) -> &'static [&'static str] {
    match scope {
        "repo:status" | "repo_deployment" | "public_repo" | "repo:invite" | "security_events" => {
            &["repo"]
        }
        "write:repo_hook" => &["admin:repo_hook"],
        "read:repo_hook" => &["write:repo_hook"],
        "write:org" => &["admin:org"],
        "read:org" => &["write:org"],
        "write:public_key" => &["admin:public_key"],
        "read:public_key" => &["write:public_key"],
        "write:gpg_key" => &["admin:gpg_key"],
        "read:gpg_key" => &["write:gpg_key"],
        "write:ssh_signing_key" => &["admin:ssh_signing_key"],
        "read:ssh_signing_key" => &["write:ssh_signing_key"],
        "read:user" | "user:email" | "user:follow" => &["user"],
        "read:project" => &["project"],
        "read:packages" => &["write:packages"],
        "read:discussion" => &["write:discussion"],
        "read:audit_log" => &["audit_log"],
        "codespace:secrets" => &["codespace"],
        "manage_billing:copilot" => &["copilot"],
        "manage_runners:enterprise" | "manage_billing:enterprise" | "read:enterprise" => {
            &["admin:enterprise"]
        }
        _ => &[],
    }
}

/// Whether the granted scopes meet `required`, directly or through a
/// broader scope.
pub fn satisfies(granted: &[String], required: &str) -> bool {
    granted.iter().any(|g| g == required) || parents(required).iter().any(|p| satisfies(granted, p))
}

/// Parses an `X-OAuth-Scopes` header: `repo, admin:repo_hook, read:org`.
pub fn parse_header(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(s: &str) -> Vec<String> {
        parse_header(s)
    }

    #[test]
    fn broader_scopes_meet_narrower_requirements() {
        let table = [
            ("admin:org", "read:org", true),
            ("write:org", "read:org", true),
            ("read:org", "write:org", false),
            ("admin:repo_hook", "write:repo_hook", true),
            ("admin:repo_hook", "read:repo_hook", true),
            ("write:repo_hook", "admin:repo_hook", false),
            ("repo", "public_repo", true),
            ("public_repo", "repo", false),
            ("repo", "admin:repo_hook", false),
            ("user", "read:user", true),
            ("", "repo", false),
        ];
        for (have, need, expected) in table {
            assert_eq!(
                satisfies(&granted(have), need),
                expected,
                "{have} -> {need}"
            );
        }
    }

    #[test]
    fn parses_the_scopes_header() {
        assert_eq!(
            granted("repo, admin:repo_hook,read:org "),
            ["repo", "admin:repo_hook", "read:org"]
        );
        assert!(granted("").is_empty());
        assert!(granted(" , ").is_empty());
    }
}
