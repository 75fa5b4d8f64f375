//! Runs the provider and Qovery simulator for manual testing and the demo, until
//! Ctrl-C. It listens on 127.0.0.1 only; seed it through the `/_sim/` admin
//! API (see the crate docs) or by creating tokens on its pages.

use std::process::ExitCode;

use clap::Parser;
use tokenwarden_sim::{Ports, Simulator};

/// A fake GitHub, GitLab, Bitbucket Cloud and Qovery for Tokenwarden, on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "tokenwarden-sim", version)]
struct Args {
    /// Port of the simulated GitHub (0 = any free port).
    #[arg(long, default_value_t = 0)]
    github_port: u16,
    /// Port of the simulated GitLab (0 = any free port).
    #[arg(long, default_value_t = 0)]
    gitlab_port: u16,
    /// Port of the simulated Bitbucket Cloud (0 = any free port).
    #[arg(long, default_value_t = 0)]
    bitbucket_port: u16,
    /// Port of the simulated Qovery API (0 = any free port).
    #[arg(long, default_value_t = 0)]
    qovery_port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let ports = Ports {
        github: args.github_port,
        gitlab: args.gitlab_port,
        bitbucket: args.bitbucket_port,
        qovery: args.qovery_port,
    };
    let sim = match Simulator::start_on(ports).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("tokenwarden-sim: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "github:    {}  (API {})",
        sim.github_url(),
        sim.github_api_url()
    );
    println!(
        "gitlab:    {}  (API {})",
        sim.gitlab_url(),
        sim.gitlab_api_url()
    );
    println!(
        "bitbucket: {}  (API {})",
        sim.bitbucket_url(),
        sim.bitbucket_api_url()
    );
    println!(
        "qovery:    {}  (API {})",
        sim.qovery_url(),
        sim.qovery_url()
    );
    println!("admin API under /_sim/ on each; Ctrl-C stops.");
    let stopped = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokenwarden-sim: cannot wait for Ctrl-C: {e}");
            ExitCode::FAILURE
        }
    }
}
