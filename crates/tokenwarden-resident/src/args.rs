//! The command-line arguments both processes read: `--simulator`, which
//! each passes on to the other, `--hidden` (how start at login launches
//! the app) and `--open ID` (the window at a token's page).

use tokenwarden_core::catalogue::Simulated;

/// `--hidden`: start in the tray without opening the window.
pub const HIDDEN_ARG: &str = "--hidden";

/// `--open ID`: open the window at that token's page.
pub const OPEN_ARG: &str = "--open";

const SIMULATOR_ARG: &str = "--simulator";

/// The `--simulator SPEC` (or `--simulator=SPEC`) given, as written.
pub fn simulator_spec(args: impl IntoIterator<Item = String>) -> Option<String> {
    value_of(args, SIMULATOR_ARG)
}

/// `--simulator github=URL,gitlab=URL,bitbucket=URL,qovery=URL` points the
/// cloud deployments (and Qovery's default address) at the simulator on
/// loopback (demos and tests).
pub fn simulated(args: impl IntoIterator<Item = String>) -> Simulated {
    parse_simulated(simulator_spec(args).as_deref())
}

/// The session a `--simulator` spec describes (none: the real services;
/// a spec that does not parse is ignored, and logged).
pub fn parse_simulated(spec: Option<&str>) -> Simulated {
    let Some(spec) = spec else {
        return Simulated::default();
    };
    Simulated::parse(spec).unwrap_or_else(|error| {
        tracing::warn!(%error, "ignoring --simulator");
        Simulated::default()
    })
}

/// The arguments that pass `simulated`'s session on to the other process.
pub fn simulator_args(spec: Option<&str>) -> Vec<String> {
    spec.map(|spec| vec![SIMULATOR_ARG.to_owned(), spec.to_owned()])
        .unwrap_or_default()
}

/// The token `--open ID` asks for.
pub fn open_request(args: impl IntoIterator<Item = String>) -> Option<String> {
    value_of(args, OPEN_ARG).filter(|id| !id.is_empty())
}

pub fn hidden(args: impl IntoIterator<Item = String>) -> bool {
    args.into_iter().any(|arg| arg == HIDDEN_ARG)
}

/// The value of `name VALUE` or `name=VALUE`.
fn value_of(args: impl IntoIterator<Item = String>, name: &str) -> Option<String> {
    let mut args = args.into_iter();
    let joined = format!("{name}=");
    while let Some(arg) = args.next() {
        if let Some(value) = arg.strip_prefix(&joined) {
            return Some(value.to_owned());
        }
        if arg == name {
            return args.next();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn each_argument_is_read_in_both_spellings() {
        let spec = "github=http://127.0.0.1:9";
        for line in [
            format!("--hidden --simulator {spec}"),
            format!("--simulator={spec} --hidden"),
        ] {
            assert_eq!(simulator_spec(args(&line)).as_deref(), Some(spec));
            assert!(simulated(args(&line)).is_active());
            assert!(hidden(args(&line)));
        }
        assert_eq!(open_request(args("--open t1")).as_deref(), Some("t1"));
        assert_eq!(open_request(args("--open=t2")).as_deref(), Some("t2"));
        assert_eq!(open_request(args("--open")), None, "no id, nothing to open");
        assert!(!hidden(args("--open t1")));
        assert!(!simulated(args("--simulator nonsense")).is_active());
    }

    #[test]
    fn the_simulator_is_passed_on_as_it_was_given() {
        let spec = "github=http://127.0.0.1:9";
        let passed = simulator_args(Some(spec));
        assert_eq!(simulator_spec(passed.clone()).as_deref(), Some(spec));
        assert!(simulator_args(None).is_empty());
    }
}
