//! The catalogue: what the wizard and every screen render about providers,
//! gathered from the provider registry. It sits above the providers (they
//! describe themselves with the types in `crate::model`) and is the wire
//! format sent to the UI, so the UI holds no provider knowledge of its own.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

pub use crate::model::{
    Deployment, DeploymentId, FieldSpec, HostInput, MarkTone, NewTokenPageInfo, ProviderInfo,
    ProviderKind, Requirement, RequirementKind, TargetField, TokenKindId, TokenKindInfo,
};
use crate::providers;

/// Everything the wizard's first steps render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Catalogue {
    /// Every provider, with what the UI shows of it wherever a token appears.
    pub providers: Vec<ProviderInfo>,
    pub deployments: Vec<Deployment>,
    /// Practices the product recommends for every provider.
    pub best_practices: Vec<String>,
    /// Set when cloud deployments are played by the simulator: the words
    /// every screen shows in a banner, so a demo or a test session is never
    /// mistaken for the real services.
    pub simulator: Option<String>,
}

/// Cloud deployments pointed at the provider simulator instead of the real
/// services, for end-to-end tests and demos. Loopback addresses only: this
/// can never send a token anywhere but this computer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simulated {
    servers: HashMap<ProviderKind, url::Url>,
    /// The simulated Qovery API (`qovery=URL`), the app's default Qovery
    /// address while it runs against the simulator.
    qovery: Option<url::Url>,
}

impl Simulated {
    /// Parses `github=http://127.0.0.1:1,gitlab=…,bitbucket=…,qovery=…`
    /// (any subset).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut simulated = Simulated::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (provider, address) = part
                .split_once('=')
                .ok_or_else(|| format!("“{part}” is not PROVIDER=URL"))?;
            let url = url::Url::parse(address).map_err(|e| format!("{address}: {e}"))?;
            if !crate::endpoint::is_loopback(&url) {
                return Err(format!(
                    "{address} is not a loopback address: the simulator runs on this computer only"
                ));
            }
            if provider == "qovery" {
                simulated.qovery = Some(url);
                continue;
            }
            let provider = providers::by_slug(provider)
                .ok_or_else(|| format!("unknown provider “{provider}”"))?;
            simulated.servers.insert(provider.kind(), url);
        }
        Ok(simulated)
    }

    /// Whether any cloud deployment, or Qovery, is played by the simulator.
    pub fn is_active(&self) -> bool {
        !self.servers.is_empty() || self.qovery.is_some()
    }

    /// What the app says on every screen and in the tray's menu while the
    /// simulator stands in for some providers, naming them.
    pub fn notice(&self) -> Option<String> {
        let mut names: Vec<&str> = providers::all()
            .iter()
            .filter(|p| self.servers.contains_key(&p.kind()))
            .map(|p| p.name())
            .collect();
        if self.qovery.is_some() {
            names.push("Qovery");
        }
        let (names, verb) = match names.as_slice() {
            [] => return None,
            [one] => ((*one).to_owned(), "is"),
            [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "are"),
        };
        Some(format!(
            "Simulator mode: {names} here {verb} played by a simulator on this computer, not the real services."
        ))
    }

    /// The simulator standing in for `provider`'s cloud, if any.
    pub fn server(&self, provider: ProviderKind) -> Option<&url::Url> {
        self.servers.get(&provider)
    }

    /// The simulator standing in for Qovery's public API, if any.
    pub fn qovery(&self) -> Option<&url::Url> {
        self.qovery.as_ref()
    }

    /// Points a cloud deployment (one at a fixed address) at the simulator.
    fn apply(&self, deployment: &mut Deployment) {
        if !matches!(deployment.host, HostInput::Fixed { .. }) {
            return;
        }
        let Some(base) = self.server(deployment.provider) else {
            return;
        };
        let web = base.as_str().trim_end_matches('/').to_owned();
        deployment.host = HostInput::Fixed {
            api_url: format!("{web}{}", providers::get(deployment.provider).api_path()),
            web_url: web,
        };
        deployment.tagline = format!("{} (simulated)", deployment.tagline);
    }
}

impl Catalogue {
    /// Whether `api` is on the server of one of the catalogue's fixed
    /// deployments (the cloud services, or the simulator standing in for
    /// them): same scheme, host and port. Anything else is a server the
    /// user typed, which a pasted token is sent to only once they agree.
    pub fn is_catalogue_server(&self, api: &url::Url) -> bool {
        self.deployments
            .iter()
            .any(|deployment| match &deployment.host {
                HostInput::Fixed { api_url, .. } => {
                    url::Url::parse(api_url).is_ok_and(|fixed| fixed.origin() == api.origin())
                }
                HostInput::UserSupplied { .. } => false,
            })
    }

    /// The catalogue with cloud deployments pointed at a simulator.
    pub fn load_simulated(simulated: &Simulated) -> Self {
        let mut catalogue = Catalogue::load();
        for deployment in &mut catalogue.deployments {
            simulated.apply(deployment);
        }
        catalogue.simulator = simulated.notice();
        catalogue
    }

    /// The full catalogue, in the order the wizard shows it.
    pub fn load() -> Self {
        Catalogue {
            providers: providers::all().iter().map(|p| p.info()).collect(),
            deployments: providers::all()
                .iter()
                .flat_map(|p| p.deployments())
                .collect(),
            best_practices: vec![
                "Prefer organization-level tokens owned by a dedicated service account, not a person's account.".into(),
                "Give every token an expiry between 90 days and 1 year, and rotate it before it expires.".into(),
                "Use a descriptive name such as github-main-org-production.".into(),
                "The provider shows a new token only once: have Tokenwarden open before you create it.".into(),
            ],
            simulator: None,
        }
    }

    pub fn deployment(&self, id: DeploymentId) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The servers a pasted token goes to without asking: the cloud
    /// services' (or, under `--simulator`, the simulator's in their place),
    /// by scheme, host and port; any other server is one the user typed.
    #[test]
    fn only_the_cloud_servers_or_their_simulators_are_catalogue_servers() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        let real = Catalogue::load();
        for cloud in [
            "https://api.github.com/",
            "https://gitlab.com/api/v4/",
            "https://api.bitbucket.org/2.0/",
        ] {
            assert!(real.is_catalogue_server(&url(cloud)), "{cloud}");
        }
        for other in [
            "https://ghe.acme.test/api/v3/",
            "https://api.github.com.evil.test/",
            "http://api.github.com/",
            "https://api.github.com:8443/",
            "http://127.0.0.1:8/api/v3/",
        ] {
            assert!(!real.is_catalogue_server(&url(other)), "{other}");
        }
        let simulated =
            Catalogue::load_simulated(&Simulated::parse("github=http://127.0.0.1:8").unwrap());
        assert!(simulated.is_catalogue_server(&url("http://127.0.0.1:8/api/v3/")));
        assert!(!simulated.is_catalogue_server(&url("http://127.0.0.1:9/api/v3/")));
        assert!(!simulated.is_catalogue_server(&url("https://api.github.com/")));
    }

    #[test]
    fn a_simulated_catalogue_says_so_naming_the_simulated_providers() {
        assert_eq!(Catalogue::load().simulator, None);
        assert_eq!(
            Catalogue::load_simulated(&Simulated::default()).simulator,
            None
        );
        let one = Simulated::parse("gitlab=http://127.0.0.1:9").unwrap();
        assert!(one.is_active());
        assert_eq!(
            Catalogue::load_simulated(&one).simulator.as_deref(),
            Some("Simulator mode: GitLab here is played by a simulator on this computer, not the real services.")
        );
        let all = Simulated::parse(
            "bitbucket=http://127.0.0.1:7,github=http://127.0.0.1:8,gitlab=http://127.0.0.1:9",
        )
        .unwrap();
        let notice = all.notice().unwrap();
        assert!(
            notice.starts_with("Simulator mode: GitHub, GitLab and Bitbucket here are played"),
            "{notice}"
        );
        let with_qovery =
            Simulated::parse("github=http://127.0.0.1:8,qovery=http://127.0.0.1:6").unwrap();
        assert!(with_qovery
            .notice()
            .unwrap()
            .starts_with("Simulator mode: GitHub and Qovery here are played"),);
        let only_qovery = Simulated::parse("qovery=http://127.0.0.1:6").unwrap();
        assert!(only_qovery.is_active());
        assert!(only_qovery
            .notice()
            .unwrap()
            .contains("Qovery here is played"));
    }

    #[test]
    fn offers_the_five_deployments_in_wizard_order() {
        let ids: Vec<_> = Catalogue::load().deployments.iter().map(|d| d.id).collect();
        assert_eq!(
            ids,
            [
                DeploymentId::Github,
                DeploymentId::GithubEnterprise,
                DeploymentId::Gitlab,
                DeploymentId::GitlabSelfManaged,
                DeploymentId::BitbucketCloud,
            ]
        );
    }

    #[test]
    fn every_deployment_offers_kinds_with_requirements_and_one_recommendation() {
        for d in Catalogue::load().deployments {
            assert!(!d.token_kinds.is_empty(), "{:?} has no token kinds", d.id);
            let recommended = d.token_kinds.iter().filter(|k| k.recommended).count();
            assert_eq!(recommended, 1, "{:?} must recommend exactly one kind", d.id);
            for k in &d.token_kinds {
                assert!(!k.requirements.is_empty(), "{:?}/{:?}", d.id, k.id);
                assert!(k.summary.ends_with('.'), "summary is a sentence");
            }
        }
    }

    #[test]
    fn self_hosted_deployments_ask_for_a_host_and_cloud_ones_do_not() {
        let cat = Catalogue::load();
        for (id, user_supplied) in [
            (DeploymentId::Github, false),
            (DeploymentId::GithubEnterprise, true),
            (DeploymentId::Gitlab, false),
            (DeploymentId::GitlabSelfManaged, true),
            (DeploymentId::BitbucketCloud, false),
        ] {
            let host = &cat.deployment(id).unwrap().host;
            assert_eq!(
                matches!(host, HostInput::UserSupplied { .. }),
                user_supplied,
                "{id:?}"
            );
        }
    }

    /// The UI marks each requirement from the check's `missing` and
    /// `unverified` lists: every name it looks for must be one the checks
    /// actually report.
    #[test]
    fn requirements_name_the_words_the_checks_report() {
        let reported = [
            "repo",
            "admin:repo_hook",
            "read:org",
            "contents:read",
            "repository_hooks:write",
            "pull_requests:write",
            "role:maintainer",
            "api",
            "read_repository",
            "repository",
            "pullrequest:write",
            "webhook",
        ];
        for d in Catalogue::load().deployments {
            for k in &d.token_kinds {
                for r in &k.requirements {
                    if let Some(word) = &r.reported_as {
                        assert!(
                            reported.contains(&word.as_str()),
                            "{:?}/{:?}: {word}",
                            d.id,
                            k.id
                        );
                    } else {
                        assert_eq!(r.name, "Metadata", "only implied permissions go unreported");
                    }
                }
            }
        }
    }

    #[test]
    fn a_simulator_replaces_cloud_addresses_on_loopback_only() {
        let simulated =
            Simulated::parse("bitbucket=http://127.0.0.1:9001, github=http://127.0.0.1:9002")
                .unwrap();
        let cat = Catalogue::load_simulated(&simulated);
        let HostInput::Fixed { web_url, api_url } =
            &cat.deployment(DeploymentId::BitbucketCloud).unwrap().host
        else {
            panic!("fixed")
        };
        assert_eq!(
            (web_url.as_str(), api_url.as_str()),
            ("http://127.0.0.1:9001", "http://127.0.0.1:9001/2.0")
        );
        assert!(
            matches!(&cat.deployment(DeploymentId::Gitlab).unwrap().host, HostInput::Fixed { api_url, .. } if api_url == "https://gitlab.com/api/v4")
        );
        assert!(Simulated::parse("github=https://api.github.com").is_err());
        assert!(Simulated::parse("gitea=http://127.0.0.1:1").is_err());
        assert!(Simulated::parse("github").is_err());
    }

    #[test]
    fn a_simulated_qovery_is_kept_apart_from_the_providers_and_on_loopback_only() {
        let simulated =
            Simulated::parse("github=http://127.0.0.1:9002,qovery=http://127.0.0.1:9003").unwrap();
        assert_eq!(
            simulated.qovery().map(url::Url::as_str),
            Some("http://127.0.0.1:9003/")
        );
        assert!(Simulated::parse("github=http://127.0.0.1:9002")
            .unwrap()
            .qovery()
            .is_none());
        assert!(Simulated::parse("qovery=https://api.qovery.com").is_err());
    }

    #[test]
    fn serializes_with_the_names_the_ui_expects() {
        let json = serde_json::to_value(Catalogue::load()).unwrap();
        let first = &json["deployments"][0];
        assert_eq!(first["id"], "github");
        assert_eq!(first["provider"], "github");
        assert_eq!(first["host"]["type"], "fixed");
        assert_eq!(first["host"]["api_url"], "https://api.github.com");
        assert_eq!(json["deployments"][1]["id"], "github-enterprise");
        assert_eq!(json["deployments"][1]["host"]["type"], "user-supplied");
        assert_eq!(first["token_kinds"][1]["id"], "fine-grained");
    }
}
