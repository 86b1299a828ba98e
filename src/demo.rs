//! `sigshim demo`: a legacy-facade user and a core user on the embedded hub, with a transcript
//! of each legacy call, the core call behind it, and the callbacks and events that follow.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sigshim::transport::WsConnector;
use sigshim::{
    Attribute, ChannelAttributeOptions, ChannelEvent, ChannelEvents, Client, ClientEvent, Events, Hub,
    HubConfig, Message, SendMessageOptions,
};
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
use sigshim_mapping::catalog;
use tokio::sync::mpsc;

#[path = "demo_calls.rs"]
mod calls;

const APP_ID: &str = "sigshim-demo";

/// Arguments of `sigshim demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Run through a `sigshim serve` endpoint (`ws://host:port/`) instead of the embedded hub.
    #[arg(long)]
    server: Option<String>,
    /// The app ID (must match the server's).
    #[arg(long, default_value = APP_ID)]
    app_id: String,
}
const WAIT: Duration = Duration::from_secs(5);

/// Forwards the callbacks the demo shows as printable lines.
struct Printer(mpsc::UnboundedSender<String>);

impl Printer {
    fn say(&self, line: String) {
        let _ = self.0.send(line);
    }
}

impl SignalingCallbacks for Printer {
    fn on_login_success(&self, uid: u32, fd: u32) {
        self.say(format!("on_login_success(uid={uid}, fd={fd})"));
    }
    fn on_login_failed(&self, ecode: i32) {
        self.say(format!("on_login_failed({ecode})"));
    }
    fn on_logout(&self, ecode: i32) {
        self.say(format!("on_logout({ecode})"));
    }
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {
        self.say(format!("on_message_instant_receive({account:?}, uid={uid}, {msg:?})"));
    }
    fn on_message_send_success(&self, id: &str) {
        self.say(format!("on_message_send_success({id:?})"));
    }
    fn on_message_send_error(&self, id: &str, ecode: i32) {
        self.say(format!("on_message_send_error({id:?}, {ecode})"));
    }
    fn on_query_user_status_result(&self, name: &str, status: &str) {
        self.say(format!("on_query_user_status_result({name:?}, {status:?})"));
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        self.say(format!("on_user_attr_result({account:?}, {name:?}, {value:?})"));
    }
    fn on_user_attr_all_result(&self, account: &str, value: &str) {
        self.say(format!("on_user_attr_all_result({account:?}, {value})"));
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.say(format!("on_channel_joined({channel_id:?})"));
    }
    fn on_channel_join_failed(&self, channel_id: &str, ecode: i32) {
        self.say(format!("on_channel_join_failed({channel_id:?}, {ecode})"));
    }
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {
        self.say(format!("on_channel_user_list({accounts:?}, {uids:?})"));
    }
    fn on_channel_user_joined(&self, account: &str, uid: u32) {
        self.say(format!("on_channel_user_joined({account:?}, uid={uid})"));
    }
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {
        self.say(format!("on_channel_attr_updated({channel_id:?}, {name:?}, {value:?}, {kind:?})"));
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {
        self.say(format!("on_message_channel_receive({channel_id:?}, {account:?}, uid={uid}, {msg:?})"));
    }
    fn on_channel_leaved(&self, channel_id: &str, ecode: i32) {
        self.say(format!("on_channel_leaved({channel_id:?}, {ecode})"));
    }
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {
        self.say(format!("on_error({name:?}, {ecode}, {desc:?})"));
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {
        self.say(format!("on_invite_received_by_peer({channel_id:?}, {account:?}, {uid})"));
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.say(format!("on_invite_accepted_by_peer({channel_id:?}, {account:?}, {uid}, {extra:?})"));
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {
        self.say(format!("on_invite_failed({channel_id:?}, {account:?}, {uid}, {ecode}, {extra:?})"));
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {
        self.say(format!("on_invite_end_by_myself({channel_id:?}, {account:?}, {uid})"));
    }
}

/// The demo's two users and what they report.
struct Demo {
    app_id: String,
    alice: Arc<Signaling>,
    callbacks: mpsc::UnboundedReceiver<String>,
    bob: Client,
    bob_events: Events,
}

type Step = Result<(), String>;

impl Demo {
    /// Prints a legacy call and the core call the catalog maps it to.
    fn legacy(&self, call: &str, name: &str) {
        println!("\n[alice, legacy] {call}");
        if let Some(row) = catalog::lookup(name) {
            println!("    core: {}   ({:?})", row.core, row.strategy);
        }
    }

    /// Waits for alice's next callback and prints it.
    async fn callback(&mut self) -> Result<String, String> {
        let line = tokio::time::timeout(WAIT, self.callbacks.recv())
            .await
            .map_err(|_| "no callback in time".to_string())?
            .ok_or("callbacks closed")?;
        println!("    <- alice: {line}");
        Ok(line)
    }

    /// Waits for bob's next event that is not a connection change, and prints it.
    async fn bob_event(&mut self) -> Result<ClientEvent, String> {
        loop {
            let ev = tokio::time::timeout(WAIT, self.bob_events.recv())
                .await
                .map_err(|_| "no event in time".to_string())?
                .ok_or("events closed")?;
            if !matches!(ev, ClientEvent::ConnectionStateChanged { .. }) {
                println!("    <- bob event: {ev:?}");
                return Ok(ev);
            }
        }
    }

    async fn run(&mut self) -> Step {
        println!("== sessions ==");
        println!("\n[bob, core] Client::login(None, \"bob\")");
        self.bob.login(None, "bob").await.map_err(|e| e.to_string())?;
        println!("    -> Ok; state {:?}", self.bob.connection_state());

        println!("\n[bob, core] send_message_to_peer(\"alice\", \"are you there?\", offline caching on)");
        let r = self
            .bob
            .send_message_to_peer("alice", &Message::text("are you there?"), SendMessageOptions::offline())
            .await;
        println!("    -> {r:?} (alice is offline: the hub keeps it for her next login)");

        self.legacy("login(app_id, \"alice\", \"_no_need_token\", 0, \"\")", "login");
        self.alice.login(&self.app_id, "alice", "_no_need_token", 0, "");
        expect(self.callback().await?, "on_login_success")?;
        expect(self.callback().await?, "on_message_instant_receive(\"bob\"")?;

        println!("\n== presence ==");
        self.legacy("query_user_status(\"bob\")", "query_user_status");
        self.alice.query_user_status("bob");
        expect(self.callback().await?, "on_query_user_status_result(\"bob\", \"1\")")?;
        println!("\n[bob, core] query_peers_online_status([\"alice\"])");
        let s = self.bob.query_peers_online_status(&["alice"]).await.map_err(|e| e.to_string())?;
        println!("    -> {s:?}");

        println!("\n== peer messages ==");
        self.legacy("message_instant_send(\"bob\", 0, \"hello bob\", \"m1\")", "message_instant_send");
        self.alice.message_instant_send("bob", 0, "hello bob", "m1");
        expect(self.callback().await?, "on_message_send_success(\"m1\")")?;
        self.bob_event().await?;
        println!("\n[bob, core] send_message_to_peer(\"alice\", \"hi alice\")");
        let r = self
            .bob
            .send_message_to_peer("alice", &Message::text("hi alice"), SendMessageOptions::default())
            .await;
        println!("    -> {r:?} (Ok: alice's client received it)");
        expect(self.callback().await?, "on_message_instant_receive(\"bob\"")?;

        println!("\n== user attributes ==");
        self.legacy("set_attr(\"mood\", \"busy\")", "set_attr");
        self.alice.set_attr("mood", "busy");
        println!("\n[bob, core] add_or_update_local_user_attributes([room=42])");
        self.bob
            .add_or_update_local_user_attributes(&[Attribute::new("room", "42")])
            .await
            .map_err(|e| e.to_string())?;
        self.legacy("get_user_attr_all(\"bob\")", "get_user_attr_all");
        self.alice.get_user_attr_all("bob");
        expect(self.callback().await?, "{\"room\":\"42\"}")?;
        println!("\n[bob, core] get_user_attributes(\"alice\")");
        let a = self.bob.get_user_attributes("alice").await.map_err(|e| e.to_string())?;
        println!("    -> {a:?}");

        self.channels().await?;
        self.calls().await?;

        println!("\n== logout ==");
        self.legacy("logout()", "logout");
        self.alice.logout();
        expect(self.callback().await?, "on_logout(101)")?;
        self.bob.logout().await.map_err(|e| e.to_string())?;
        println!("\n[bob, core] logout() -> Ok");
        Ok(())
    }
}

impl Demo {
    /// Waits for the next event of bob's channel and prints it.
    async fn bob_channel_event(events: &mut ChannelEvents) -> Result<ChannelEvent, String> {
        let ev = tokio::time::timeout(WAIT, events.recv())
            .await
            .map_err(|_| "no channel event in time".to_string())?
            .ok_or("channel events closed")?;
        println!("    <- bob channel event: {ev:?}");
        Ok(ev)
    }

    async fn channels(&mut self) -> Step {
        println!("\n== channels ==");
        let (lobby, mut lobby_events) = self.bob.create_channel("lobby");
        println!("\n[bob, core] create_channel(\"lobby\").join()");
        lobby.join().await.map_err(|e| e.to_string())?;
        Self::bob_channel_event(&mut lobby_events).await?;

        self.legacy("channel_join(\"lobby\")", "channel_join");
        self.alice.channel_join("lobby");
        expect(self.callback().await?, "on_channel_joined(\"lobby\")")?;
        expect(self.callback().await?, "on_channel_user_list(")?;
        Self::bob_channel_event(&mut lobby_events).await?;

        self.legacy("message_channel_send(\"lobby\", \"hello lobby\", \"c1\")", "message_channel_send");
        self.alice.message_channel_send("lobby", "hello lobby", "c1");
        expect(self.callback().await?, "on_message_send_success(\"c1\")")?;
        println!("    (a legacy sender gets its own channel message back; a core sender does not)");
        expect(self.callback().await?, "on_message_channel_receive(\"lobby\", \"alice\"")?;
        while !matches!(
            Self::bob_channel_event(&mut lobby_events).await?,
            ChannelEvent::MessageReceived { .. }
        ) {}

        println!("\n[bob, core] add_or_update_channel_attributes(\"lobby\", [topic=migration], notify)");
        let notify = ChannelAttributeOptions { enable_notification_to_channel_members: true };
        let topic = [Attribute::new("topic", "migration")];
        self.bob
            .add_or_update_channel_attributes("lobby", &topic, notify)
            .await
            .map_err(|e| e.to_string())?;
        expect(
            self.callback().await?,
            "on_channel_attr_updated(\"lobby\", \"topic\", \"migration\", \"update\")",
        )?;

        println!("\n[bob, core] create_channel(\"stage\").join()   (alice is not a member)");
        let (stage, mut stage_events) = self.bob.create_channel("stage");
        stage.join().await.map_err(|e| e.to_string())?;
        Self::bob_channel_event(&mut stage_events).await?;
        self.legacy(
            "message_channel_send_force(\"stage\", \"from outside\", \"f1\")",
            "message_channel_send_force",
        );
        self.alice.message_channel_send_force("stage", "from outside", "f1");
        expect(self.callback().await?, "on_message_send_success(\"f1\")")?;
        while !matches!(
            Self::bob_channel_event(&mut stage_events).await?,
            ChannelEvent::MessageReceived { .. }
        ) {}

        self.legacy("channel_leave(\"lobby\")", "channel_leave");
        self.alice.channel_leave("lobby");
        expect(self.callback().await?, "on_channel_leaved(\"lobby\"")?;
        Ok(())
    }
}

fn expect(line: String, fragment: &str) -> Step {
    if line.contains(fragment) { Ok(()) } else { Err(format!("expected {fragment}, got {line}")) }
}

/// Runs the demo; non-zero exit if any step misbehaves.
pub(crate) fn run(args: DemoArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let app_id = args.app_id;
        let (alice_options, bob_builder) = match &args.server {
            None => {
                let hub = Hub::new(HubConfig::new(&app_id));
                println!(
                    "sigshim demo: embedded hub for app {app_id:?}; alice uses the legacy API, bob the core"
                );
                (SignalingOptions::default().hub(&hub), Client::builder(&app_id).hub(&hub))
            }
            Some(url) => {
                println!(
                    "sigshim demo: server {url} for app {app_id:?}; alice uses the legacy API, bob the core"
                );
                let alice = SignalingOptions::default().connector(Arc::new(WsConnector::new(url.clone())));
                (alice, Client::builder(&app_id).connector(Arc::new(WsConnector::new(url.clone()))))
            }
        };
        let (tx, callbacks) = mpsc::unbounded_channel();
        let alice = Signaling::create_instance_with(&app_id, alice_options);
        alice.callback_set(Arc::new(Printer(tx)));
        let (bob, bob_events) = bob_builder.build();
        let mut demo = Demo { app_id, alice, callbacks, bob, bob_events };
        let r = demo.run().await;
        demo.alice.destroy();
        r
    });
    match result {
        Ok(()) => {
            println!("\ndemo finished: every step behaved as documented");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\ndemo failed: {e}");
            ExitCode::FAILURE
        }
    }
}
