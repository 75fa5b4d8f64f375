//! One module per provider. Each holds all the app knows about that
//! provider: its deployments and token kinds, the permissions they need,
//! and (as they land) deep links, API calls and response parsing.

pub mod bitbucket;
pub mod github;
pub mod gitlab;
