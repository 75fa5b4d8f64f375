//! Token names: what users type to find a token from the CLI, so they are
//! short, unique per provider and host, and safe in a shell.

use crate::model::ProviderKind;

pub const MAX_NAME: usize = 64;

/// Why `name` cannot be used, if it cannot.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.chars().count() > MAX_NAME {
        return Some("it is longer than 64 characters");
    }
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Some("it must start with a letter or a digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Some("use only letters, digits, '-', '_' and '.'");
    }
    None
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A descriptive name in the recommended style: provider, what it reaches,
/// and the environment (`github-acme-production`).
pub fn suggest_name(provider: ProviderKind, target: Option<&str>, environment: &str) -> String {
    let provider = crate::providers::get(provider).slug();
    let mut parts = vec![provider.to_owned()];
    if let Some(target) = target.map(slug).filter(|s| !s.is_empty()) {
        parts.push(target);
    }
    let env = slug(environment);
    if !env.is_empty() {
        parts.push(env);
    }
    let name = parts.join("-");
    name.chars()
        .take(MAX_NAME)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_shell_safe_names_only() {
        assert_eq!(name_problem("github-main-org-production"), None);
        assert_eq!(name_problem("gl.prod_2"), None);
        assert!(name_problem("").is_some());
        assert!(name_problem("-x").is_some());
        assert!(name_problem("has space").is_some());
        assert!(name_problem("a;rm").is_some());
        assert!(name_problem(&"a".repeat(65)).is_some());
    }

    #[test]
    fn suggests_descriptive_names() {
        assert_eq!(
            suggest_name(ProviderKind::Github, Some("Main Org"), "production"),
            "github-main-org-production"
        );
        assert_eq!(
            suggest_name(ProviderKind::Gitlab, Some("acme/web"), "staging"),
            "gitlab-acme-web-staging"
        );
        assert_eq!(
            suggest_name(ProviderKind::Bitbucket, None, "production"),
            "bitbucket-production"
        );
        let long = suggest_name(ProviderKind::Github, Some(&"x".repeat(100)), "production");
        assert!(long.len() <= MAX_NAME);
        assert_eq!(name_problem(&long), None);
    }
}
