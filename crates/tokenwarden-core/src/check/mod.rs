//! The toolkit every provider's check shares, and nothing provider-specific:
//! the request and report types (the `validate` JSON contract), the
//! verdict, expiry rules, addresses, the HTTP layer with its rate-limit
//! holds and private-CA trust, and the context a check runs in. It imports
//! no provider: the providers build on it, and the `Checker` above them
//! (`crate::checker`) runs them.

pub mod address;
mod context;
mod expiry;
mod http;
pub mod limits;
mod ratelimit;
mod report;
mod trust;

pub use address::{is_loopback, EndpointError};
pub use context::{CheckContext, ScriptedAnswers, Transport};
pub use expiry::{start_of_day_utc, Clock, SystemClock, EXPIRES_SOON_DAYS};
pub use http::{AuthScheme, Http, HttpOptions, Response, TransportError};
pub use limits::TooLong;
pub use report::{
    CheckReport, CheckRequest, ExpirySource, Identity, Problem, ProblemCode, Verdict,
};
pub use trust::{resolve_ca_file, CaFileError};
