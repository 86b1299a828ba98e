//! `sigshim bench`: a load generator for sigshim servers.
//!
//! It simulates users with the core client (or the legacy facade, protocol-level users of the
//! core protocol or of the legacy endpoint, or a C program on `libagorasig`) over WebSocket
//! against a
//! `sigshim serve` it starts as a child process (or one given by `--url`), against several it
//! starts as nodes on a `redis-server` it starts too (`--nodes`, or one node on it: `--redis`),
//! or against a hub in its own process (`inproc`). Senders are open-loop: each message carries the time it was
//! scheduled to leave, and latency is measured from that time, so queueing shows. Each run prints
//! progress once a second, then a table (stderr) and one JSON line (stdout, and `--out`).

mod c_program;
mod conns;
mod dialect;
mod fanout;
mod floor;
mod lean;
mod legacy;
mod legacy_wire;
mod pacer;
mod peer;
mod procfs;
mod raw;
mod redis;
mod soak;
mod stats;
mod target;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use stats::Report;
use target::Target;

/// What to run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scenario {
    /// Peer messages through a hub in this process (no sockets).
    Inproc,
    /// Peer messages over WebSocket.
    Peer,
    /// One channel, many members, one publisher.
    Fanout,
    /// Fan-out with members that never read (bounded memory, others unaffected).
    Stalled,
    /// Many idle logged-in connections (server memory per connection).
    Idle,
    /// A burst of logins.
    Logins,
    /// The machine's floor: 64-byte round trips over one loopback TCP connection, no sigshim
    /// code in the path.
    Floor,
    /// A long run for leaks: `--connections` logged-in protocol-level users (default 10 000),
    /// mixed traffic at `--rate` (peer messages, some to logged-out users for the offline
    /// store, channel messages, joins and leaves) and session churn (`--churn`), the server's
    /// RSS sampled every `--sample-every`; reports the samples and the slope of RSS after the
    /// warm-up. Defaults: 600 s measured after 60 s of warm-up, 2 000 msgs/s.
    Soak,
}

/// Which API the simulated users speak.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// The core client.
    Core,
    /// The legacy facade.
    Legacy,
    /// Protocol-level users: requests written straight onto the WebSocket, replies matched by
    /// ID (needs a server). The generator then spends far less CPU per message.
    Lean,
    /// Protocol-level users of the legacy session endpoint (`ws://host:port/legacy`):
    /// `messageInstantSend` calls written straight onto the WebSocket, `onMessageSendSuccess`
    /// callbacks matched by message ID (needs a server; peer and idle scenarios).
    LegacyWire,
    /// Instances of `libagorasig`'s C interface: `legacy_c/bench/peer_load.c`, built with the
    /// system `cc` against the library beside this binary (`cargo build --release -p
    /// sigshim-legacy-c`), is the generator (needs a server; peer scenario).
    C,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Core => "core",
            Api::Legacy => "legacy",
            Api::Lean => "lean",
            Api::LegacyWire => "legacy-wire",
            Api::C => "c",
        }
    }
}

/// Refuses the combinations of scenario, target and options that `sigshim bench` does not run,
/// rather than running something else than asked.
fn check(args: &BenchArgs) -> Result<(), String> {
    check_nodes(args)?;
    let api = args.api;
    let refuse = |what: &str| Err(format!("--api {} {what}", api.name()));
    match args.scenario {
        Scenario::Peer => {}
        Scenario::Inproc if matches!(api, Api::Lean | Api::LegacyWire | Api::C) => {
            return refuse("speaks to a server over WebSocket: not with the in-process hub (use peer)");
        }
        Scenario::Inproc => {}
        Scenario::Idle if matches!(api, Api::Core | Api::LegacyWire) => {}
        Scenario::Idle => {
            return refuse("with idle: idle holds core clients (core) or legacy sessions (legacy-wire)");
        }
        Scenario::Soak if matches!(api, Api::Core | Api::Lean) => {}
        Scenario::Soak => {
            return refuse("with soak: its users are protocol-level users of the core protocol (lean)");
        }
        Scenario::Fanout | Scenario::Stalled | Scenario::Logins | Scenario::Floor if api != Api::Core => {
            return refuse(&format!(
                "is for the peer scenarios{}; {:?} takes no --api (see --lean-members, --lean-logins)",
                if api == Api::LegacyWire { " and idle" } else { "" },
                args.scenario
            ));
        }
        _ => {}
    }
    if args.inline_callbacks && api != Api::Legacy {
        return Err("--inline-callbacks is for --api legacy (the facade's callbacks)".into());
    }
    if api == Api::LegacyWire
        && args.url.as_deref().is_some_and(|u| u.trim_end_matches('/').ends_with("/legacy"))
    {
        return Err("--url is the server's core URL (ws://host:port/): legacy-wire users add legacy".into());
    }
    Ok(())
}

/// Refuses `--nodes` and `--redis` where the bench does not start the nodes, or where the
/// scenario's users cannot be spread over them.
fn check_nodes(args: &BenchArgs) -> Result<(), String> {
    if args.nodes == 0 {
        return Err("--nodes is at least 1".into());
    }
    let flag = if args.nodes > 1 { format!("--nodes {}", args.nodes) } else { "--redis".to_owned() };
    if args.nodes == 1 && !args.redis {
        return Ok(());
    }
    let why = match (args.scenario, args.api) {
        _ if args.url.is_some() => "starts its own nodes: not with --url (a server someone else runs)",
        (Scenario::Inproc, _) => {
            "starts sigshim serve nodes: not with inproc (the hub in this process; use peer)"
        }
        (Scenario::Floor, _) => "starts sigshim serve nodes: the floor has no server",
        (Scenario::Soak, _) => "is not for the soak (its users all log in on one URL)",
        (_, Api::C) => "is not for --api c (the C program logs every user in on one URL)",
        _ => return Ok(()),
    };
    Err(format!("{flag} {why}"))
}

/// Arguments of `sigshim bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// The scenario.
    #[arg(value_enum)]
    scenario: Scenario,
    /// Drive this server (`ws://host:port/`, app ID `sigshim-bench`, rate limits off) instead of
    /// starting one.
    #[arg(long)]
    url: Option<String>,
    /// Sender/receiver pairs (peer scenarios).
    #[arg(long, default_value_t = 100)]
    pairs: usize,
    /// Channel members (fan-out scenarios).
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// Fan-out members speak the wire protocol directly (a lean reader) instead of running the
    /// core client: the generator then spends far less CPU per delivery.
    #[arg(long)]
    lean_members: bool,
    /// The login burst logs in protocol-level users instead of core clients.
    #[arg(long)]
    lean_logins: bool,
    /// Members that never read (the stalled scenario).
    #[arg(long, default_value_t = 1)]
    stalled: usize,
    /// Messages per second in total (0: saturation, peer scenarios).
    /// Default: 10000 for peer messages, 100 for fan-out, 2000 for soak.
    #[arg(long)]
    rate: Option<u64>,
    /// Measured seconds. Default: 10 (soak: 600).
    #[arg(long)]
    duration: Option<f64>,
    /// Seconds sent before measuring. Default: 2 (soak: 60).
    #[arg(long)]
    warmup: Option<f64>,
    /// Messages in flight per sender at saturation.
    #[arg(long, default_value_t = 64)]
    window: usize,
    /// The API of the simulated users (peer scenarios; idle: core or legacy-wire; soak always
    /// runs lean users).
    #[arg(long, value_enum, default_value = "core")]
    api: Api,
    /// With `--api legacy`: run callbacks on each instance's task instead of its dispatcher
    /// thread (`SignalingOptions::inline_callbacks`).
    #[arg(long)]
    inline_callbacks: bool,
    /// Connections (idle, logins and soak scenarios).
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Seconds the idle connections are held while the server's CPU is measured (they ping, or
    /// legacy-wire sessions acknowledge, every 10 s).
    #[arg(long, default_value_t = 12.0)]
    hold: f64,
    /// Logins in flight at once (idle, logins and soak scenarios).
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Seconds between two samples of the server's memory (soak).
    #[arg(long, default_value_t = 10.0)]
    sample_every: f64,
    /// Users that log out, and log in again `--offline-for` later, per minute, in percent of
    /// the connections (soak).
    #[arg(long, default_value_t = 1.0)]
    churn: f64,
    /// Seconds a user that logged out stays away; peer messages sent to it meanwhile wait in
    /// the server's offline store (soak).
    #[arg(long, default_value_t = 20.0)]
    offline_for: f64,
    /// Worker threads of the generator's runtime (default: one per core). The generator shares
    /// the cores with the server it starts; fewer workers leave it more of them.
    #[arg(long)]
    threads: Option<usize>,
    /// Server processes to start: with 2 or more, the bench also starts a `redis-server` (free
    /// port, temporary directory, `appendonly yes`, `appendfsync always`, `maxmemory-policy
    /// noeviction`) and runs them as nodes `n1`, `n2`, … on it (`sigshim serve --engine
    /// redis://… --node-id n1`), and spreads the users: each peer pair's sender and receiver on
    /// different nodes, fan-out members and logins alternating nodes.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Run the node(s) on a `redis-server` the bench starts, as `--nodes 2` does, even with one
    /// node (`--redis`: one node on Redis).
    #[arg(long)]
    redis: bool,
    /// Also append the JSON line to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The size and pace of a message run.
#[derive(Debug, Clone)]
pub(crate) struct RunShape {
    pairs: usize,
    members: usize,
    rate: u64,
    duration: Duration,
    warmup: Duration,
    window: usize,
    inline_callbacks: bool,
}

/// Adds the server's and the generator's CPU and context switches per second, and the server's
/// memory, to a report (a run on one server process, measured by `server_cpu`).
fn resources(
    r: &mut Report,
    target: &Target,
    server_cpu: Option<procfs::CpuMeter>,
    own_cpu: Option<procfs::CpuMeter>,
) {
    let meters = target::ServerMeters { nodes: server_cpu.into_iter().collect(), ..Default::default() };
    resources_of(r, target, meters, own_cpu);
}

/// Values rounded to one decimal, as a JSON array.
fn tenths(values: &[f64]) -> serde_json::Value {
    values.iter().map(|v| (v * 10.0).round() / 10.0).collect()
}

/// Adds the server's and the generator's CPU and context switches per second, and the server's
/// memory, to a report. On several nodes the server figures are sums over the nodes, with each
/// node's in `…_nodes` arrays; with a Redis the bench started, its CPU and memory too, and each
/// node's engine pipelines (from its `/metrics`).
fn resources_of(
    r: &mut Report,
    target: &Target,
    server: target::ServerMeters,
    own_cpu: Option<procfs::CpuMeter>,
) {
    let several = target.nodes() > 1;
    if let Some(each) = target.rss_kib_each() {
        r.set("server_rss_kib", each.iter().sum::<u64>());
        if several {
            r.set("server_rss_kib_nodes", each);
        }
    }
    let cpu: Vec<f64> = server.nodes.iter().filter_map(|m| m.percent()).collect();
    if !cpu.is_empty() {
        r.set_f("server_cpu_pct", cpu.iter().sum());
        if several {
            r.set("server_cpu_pct_nodes", tenths(&cpu));
        }
    }
    if let Some(p) = server.redis.as_ref().and_then(|m| m.percent()) {
        r.set_f("redis_cpu_pct", p);
    }
    if let Some(kib) = target.redis_pid().and_then(procfs::rss_kib) {
        r.set("redis_rss_kib", kib);
    }
    // Each node's ordered stream to Redis: pipelines per second, and the share of the time one
    // was in flight (near 100%: the stream's round trips are what the node waits on).
    let engine: Option<Vec<(f64, f64)>> = server.engine.iter().map(|m| m.as_ref()?.rates()).collect();
    if let Some(engine) = engine.filter(|e| !e.is_empty()) {
        let (batches, busy): (Vec<f64>, Vec<f64>) = engine.into_iter().unzip();
        r.set("engine_batches_per_s_nodes", tenths(&batches));
        r.set("engine_busy_pct_nodes", tenths(&busy));
    }
    if let Some(p) = own_cpu.and_then(|m| m.percent()) {
        r.set_f("generator_cpu_pct", p);
    }
    let switches: Vec<f64> = server.nodes.iter().filter_map(|m| m.switches_per_s()).collect();
    if !switches.is_empty() {
        r.set("server_switches_per_s", switches.iter().sum::<f64>().round() as u64);
    }
    if let Some(n) = own_cpu.and_then(|m| m.switches_per_s()) {
        r.set("generator_switches_per_s", n.round() as u64);
    }
}

/// Runs one scenario; non-zero exit when it fails.
pub(crate) fn run(args: BenchArgs) -> ExitCode {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.max(1));
    }
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run_async(&args)) {
        Ok(report) => match report.emit(args.out.as_deref()) {
            Ok(()) if report.failed() => {
                eprintln!("bench failed: see `failures` above");
                ExitCode::FAILURE
            }
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_async(args: &BenchArgs) -> Result<Report, String> {
    check(args)?;
    let fanout = matches!(args.scenario, Scenario::Fanout | Scenario::Stalled);
    let soak = args.scenario == Scenario::Soak;
    let shape = RunShape {
        pairs: args.pairs.max(1),
        members: args.members.max(1),
        rate: args.rate.unwrap_or(match args.scenario {
            Scenario::Soak => 2_000,
            _ if fanout => 100,
            _ => 10_000,
        }),
        duration: Duration::from_secs_f64(args.duration.unwrap_or(if soak { 600.0 } else { 10.0 }).max(0.1)),
        warmup: Duration::from_secs_f64(args.warmup.unwrap_or(if soak { 60.0 } else { 2.0 }).max(0.0)),
        window: args.window.max(1),
        inline_callbacks: args.inline_callbacks,
    };
    let target = match (&args.url, args.scenario) {
        (_, Scenario::Floor) => {
            eprintln!("sigshim bench Floor: loopback TCP round trips, no server");
            return floor::run(shape.duration, shape.warmup).await;
        }
        (_, Scenario::Inproc) => Target::in_process(),
        (Some(url), _) => Target::Url(url.clone()),
        (None, Scenario::Idle) => Target::spawn(args.nodes, args.redis, Some(args.concurrency))?,
        (None, _) => Target::spawn(args.nodes, args.redis, None)?,
    };
    eprintln!("sigshim bench {:?} against {}", args.scenario, target.describe());
    let mut report = match args.scenario {
        Scenario::Inproc | Scenario::Peer => peer::run(&target, &shape, args.api).await,
        Scenario::Fanout => fanout::run(&target, &shape, 0, args.lean_members).await,
        Scenario::Stalled => fanout::run(&target, &shape, args.stalled.max(1), args.lean_members).await,
        Scenario::Idle => {
            let hold = Duration::from_secs_f64(args.hold.max(0.0));
            conns::idle(&target, args.api, args.connections, args.concurrency, hold).await
        }
        Scenario::Logins => {
            conns::logins(&target, args.connections, args.concurrency, args.lean_logins).await
        }
        Scenario::Soak => {
            let shape = soak::SoakShape {
                connections: args.connections,
                concurrency: args.concurrency,
                rate: shape.rate,
                warmup: shape.warmup,
                duration: shape.duration,
                sample_every: Duration::from_secs_f64(args.sample_every.max(0.1)),
                churn_pct_per_min: args.churn.max(0.0),
                offline_for: Duration::from_secs_f64(args.offline_for.max(0.0)),
            };
            soak::run(&target, &shape).await
        }
        Scenario::Floor => Err("the floor scenario runs without a target".into()),
    }?;
    if matches!(target, Target::Spawned(_)) {
        target.fields(&mut report);
    }
    Ok(report)
}
