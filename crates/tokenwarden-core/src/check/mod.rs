//! Token checks: given a provider, an API base and a token, say exactly
//! whether the token is ready, what it lacks, and when it dies.
//!
//! The provider-specific calls live in `providers::*::check`; this module
//! holds what they share: the request and report types (the `validate`
//! JSON contract), the verdict, prefix and expiry rules, the HTTP layer and
//! the concurrent runner.

mod expiry;
mod http;
mod prefix;
mod ratelimit;
mod report;
pub(crate) mod runner;
mod target;
mod trust;

pub use expiry::{start_of_day_utc, Clock, SystemClock, EXPIRES_SOON_DAYS};
pub use http::{Http, HttpOptions, Response, TransportError};
pub use prefix::{contains_token, provider_of_token};
pub use report::{
    CheckReport, CheckRequest, ExpirySource, Identity, Problem, ProblemCode, Verdict,
};
pub use runner::{check_scripted, provider_name, CheckOptions, Checker, ScriptedAnswers};
pub use target::TokenTarget;
pub use trust::{resolve_ca_file, CaFileError};
