//! Provider answers: a check of a token, with every request it makes
//! answered from a script (status, headers, body, or a transport failure;
//! see `tokenwarden_fuzz::Script`), classified by the real provider code
//! through `check::check_scripted`. Also GitLab's answer to a
//! self-rotation.
#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use tokenwarden_core::check::{ProblemCode, Response, TransportError};
use tokenwarden_core::checker::check_scripted;
use tokenwarden_core::endpoint;
use tokenwarden_core::providers::gitlab::rotate::rotation_outcome;
use tokenwarden_core::providers::provider_of_token;
use tokenwarden_fuzz::{contains, token_like_runs, Answer, Script};
use url::Url;

fuzz_target!(|data: &[u8]| {
    let Some(script) = Script::parse(data) else {
        return;
    };
    let request = &script.request;
    let asked: Mutex<Vec<Url>> = Mutex::new(Vec::new());
    let answer = |_: &http::Method, url: &Url| -> Result<Response, TransportError> {
        let mut asked = asked.lock().unwrap();
        asked.push(url.clone());
        match script.answers.get(asked.len() - 1) {
            Some(Answer::Response(response)) => Ok(response.clone()),
            Some(Answer::Failure(error)) => Err(error.clone()),
            None => Err(TransportError::Connect(
                "the script has no more answers".into(),
            )),
        }
    };
    let report = check_scripted(request, &script.token, script.now, &answer);
    let asked = asked.into_inner().unwrap();
    let token = script.token.expose();

    // The token only ever goes to the API it was checked against, whatever
    // the names in the request (`--repo ../../x`, `--org @evil`).
    for url in &asked {
        assert_eq!(url.origin(), request.api_url.origin(), "asked {url}");
    }
    // It is not sent at all with another provider's prefix, or over plain
    // HTTP to anything but this computer.
    let mismatched = provider_of_token(token).is_some_and(|p| p != request.provider);
    let insecure = request.api_url.scheme() != "https" && !endpoint::is_loopback(&request.api_url);
    if mismatched || insecure || token.is_empty() {
        assert!(asked.is_empty(), "sent although refused: {asked:?}");
    }

    // Only the provider's say-so makes a token ready.
    let consumed: Vec<Option<&Answer>> = (0..asked.len()).map(|i| script.answers.get(i)).collect();
    if report.ready {
        assert!(
            consumed.iter().flatten().any(|a| a.is_success()),
            "ready without a 2xx answer"
        );
    }
    // Transport failures, 5xx and rate limits say nothing about the token.
    let said_nothing = consumed
        .iter()
        .all(|a| a.is_none_or(Answer::could_not_check));
    if !asked.is_empty() && said_nothing {
        assert!(!report.authenticated, "authenticated by {report:?}");
        assert!(!report.has(ProblemCode::InvalidToken), "{report:?}");
    }

    // The token never appears in what is shown or printed, unless the
    // provider (or the user, in a name) put it there themselves. Checked
    // for tokens that look like one (a prefix and length): a made-up token
    // such as "HTTP 401" may appear in any message.
    let json = serde_json::to_string(&report).expect("a report always serializes");
    let secret_looking = token_like_runs(token) == [token];
    if secret_looking && !contains(&script.outside_text, token.as_bytes()) {
        assert!(!json.contains(token), "the report shows the token: {json}");
        assert!(!format!("{report:?}").contains(token));
    }

    // GitLab's answer to a self-rotation: a new value only from a success
    // that holds one.
    for answer in &script.answers {
        let Answer::Response(response) = answer else {
            continue;
        };
        match rotation_outcome(response, "personal access token") {
            Ok(new) => {
                assert!(matches!(response.status.as_u16(), 200 | 201));
                assert!(!new.is_empty());
                assert_eq!(new.expose().trim(), new.expose());
            }
            Err(error) => {
                let message = error.to_string();
                if secret_looking && !contains(&script.outside_text, token.as_bytes()) {
                    assert!(!message.contains(token), "{message}");
                }
            }
        }
    }
});
