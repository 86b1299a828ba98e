//! The bound of a gateway's reports: an instance holds [`PHONE_REPORT_QUEUE`] unread reports;
//! one more fails its call (after the reports queued before it), hangs it up, and the call's
//! later reports are ignored. Other calls go on.
//!
//! The test gateway reports from inside `dial`, which runs on the instance's task, so that the
//! instance cannot read any report before the burst ends: the queue is full exactly when the
//! burst is longer than the bound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use parking_lot::Mutex;
use sigshim::{Hub, HubConfig};
use sigshim_legacy::{
    GatewayError, PHONE_REPORT_QUEUE, PhoneCall, PstnGateway, Signaling, SignalingCallbacks, SignalingOptions,
};

/// Reports `burst` in-call messages from `dial`, keeps the calls, records hang-ups.
#[derive(Default)]
struct Bursting {
    burst: AtomicUsize,
    calls: Mutex<Vec<PhoneCall>>,
    hung_up: Mutex<Vec<String>>,
}

impl PstnGateway for Bursting {
    fn dial(&self, call: PhoneCall) {
        for i in 0..self.burst.load(Ordering::SeqCst) {
            call.message("dtmf", &i.to_string(), "");
        }
        self.calls.lock().push(call);
    }
    fn send_dtmf(&self, _channel_id: &str, _phone_num: &str, _digits: &str) -> Result<(), GatewayError> {
        Ok(())
    }
    fn hang_up(&self, channel_id: &str, phone_num: &str) {
        self.hung_up.lock().push(format!("{channel_id} {phone_num}"));
    }
}

/// Every phone callback as one line.
struct Log(mpsc::Sender<String>);

impl SignalingCallbacks for Log {
    fn on_invite_msg(&self, ch: &str, acc: &str, uid: u32, kind: &str, data: &str, _extra: &str) {
        let _ = self.0.send(format!("msg {ch} {acc} {uid} {kind} {data}"));
    }
    fn on_invite_failed(&self, ch: &str, acc: &str, uid: u32, ecode: i32, extra: &str) {
        let _ = self.0.send(format!("failed {ch} {acc} {uid} {ecode} [{extra}]"));
    }
    fn on_invite_accepted_by_peer(&self, ch: &str, acc: &str, uid: u32, extra: &str) {
        let _ = self.0.send(format!("accepted {ch} {acc} {uid} {extra}"));
    }
    fn on_dbg(&self, a: &str, _b: &str) {
        let _ = self.0.send(format!("dbg {a}"));
    }
}

fn next(rx: &mpsc::Receiver<String>) -> String {
    rx.recv_timeout(Duration::from_secs(10)).expect("a callback in time")
}

#[test]
fn a_report_beyond_the_bound_fails_its_call_and_nothing_else() {
    let hub = Hub::new(HubConfig::new("app"));
    let gw = Arc::new(Bursting::default());
    let sig = Signaling::create_instance_with(
        "app",
        SignalingOptions::default().hub(&hub).pstn_gateway(gw.clone()),
    );
    let (tx, rx) = mpsc::channel();
    sig.callback_set(Arc::new(Log(tx)));

    // Exactly at the bound: every report arrives, and the call goes on.
    gw.burst.store(PHONE_REPORT_QUEUE, Ordering::SeqCst);
    sig.channel_invite_phone("room", "+100", 0);
    for i in 0..PHONE_REPORT_QUEUE {
        assert_eq!(next(&rx), format!("msg room +100 0 dtmf {i}"));
    }
    gw.calls.lock()[0].accepted("up");
    assert_eq!(next(&rx), "accepted room +100 0 up");

    // One beyond: the reports queued first, then the call fails with INVITE_E_OTHER and is
    // hung up; its later reports are ignored.
    gw.burst.store(PHONE_REPORT_QUEUE + 1, Ordering::SeqCst);
    sig.channel_invite_phone("room", "+200", 0);
    for i in 0..PHONE_REPORT_QUEUE {
        assert_eq!(next(&rx), format!("msg room +200 0 dtmf {i}"));
    }
    assert_eq!(next(&rx), "failed room +200 0 700 []");
    assert_eq!(*gw.hung_up.lock(), ["room +200"]);
    gw.calls.lock()[1].accepted("too late");
    sig.dbg("after", "");
    assert_eq!(next(&rx), "dbg after", "the failed call's later report is ignored");

    // The other call still reports.
    gw.calls.lock()[0].message("dtmf", "#", "");
    assert_eq!(next(&rx), "msg room +100 0 dtmf #");
    sig.destroy();
}
