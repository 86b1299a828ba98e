//! The instance's phone calls: `channel_invite_phone*` handed to the application's
//! [`PstnGateway`], DTMF and hang-up of those calls, and the gateway's reports turned into
//! `on_invite_*` callbacks (with uid 0: phone numbers have none).
//!
//! Reports come from any thread through [`Reporter`] into a queue of [`PHONE_REPORT_QUEUE`]
//! that is made on the first call; what happens when it is full is described there.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use sigshim_mapping::LegacyCode;
use tokio::sync::{Notify, mpsc};

use crate::calls::{Key, dtmf_error, key};
use crate::dispatcher::Dispatch;
use crate::gateway::{PHONE_REPORT_QUEUE, PhoneCall, PhoneEvent, PstnGateway};

/// What a gateway reports: (channel, phone number, event).
type PhoneReport = (String, String, PhoneEvent);

/// The calls whose reports found the queue full, and the signal that there are some.
#[derive(Debug, Default)]
struct Overflow {
    calls: Mutex<Vec<Key>>,
    notify: Notify,
}

/// The reporting side of one phone call, inside its [`PhoneCall`] (and every clone of it).
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    tx: mpsc::Sender<PhoneReport>,
    overflow: Arc<Overflow>,
    /// Set once a report of this call found the queue full: the call has failed.
    lost: Arc<AtomicBool>,
}

impl Reporter {
    /// Queues a report of the call, without waiting. A full queue fails the call (once); after
    /// that, or once the instance is gone, reports are ignored.
    pub(crate) fn report(&self, channel_id: &str, phone_num: &str, event: PhoneEvent) {
        if self.lost.load(Ordering::Acquire) {
            return;
        }
        match self.tx.try_send((channel_id.to_owned(), phone_num.to_owned(), event)) {
            Ok(()) => {}
            // The instance is gone; nobody is left to tell.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.lost.swap(true, Ordering::AcqRel) {
                    tracing::warn!(%channel_id, %phone_num, "phone report queue full; the call fails");
                    self.overflow.calls.lock().push(key(channel_id, phone_num));
                    self.overflow.notify.notify_one();
                }
            }
        }
    }
}

/// The receiving side: the reports in order, then the failures of calls that overflowed.
struct Reports {
    tx: mpsc::Sender<PhoneReport>,
    rx: mpsc::Receiver<PhoneReport>,
    overflow: Arc<Overflow>,
    /// Reports queued before the latest overflow and not read yet: they go before its failure.
    backlog: usize,
    /// Calls that overflowed, to report as failed once the backlog is read.
    failed: VecDeque<Key>,
}

impl Reports {
    fn new() -> Self {
        let (tx, rx) = mpsc::channel(PHONE_REPORT_QUEUE);
        Self { tx, rx, overflow: Arc::default(), backlog: 0, failed: VecDeque::new() }
    }

    fn reporter(&self) -> Reporter {
        Reporter { tx: self.tx.clone(), overflow: self.overflow.clone(), lost: Arc::default() }
    }

    /// The next report, or [`PhoneEvent::ReportLost`] for a call that overflowed once the
    /// reports queued before its overflow are read. Cancel-safe.
    async fn next(&mut self) -> PhoneReport {
        loop {
            if self.backlog > 0 {
                if let Ok(report) = self.rx.try_recv() {
                    self.backlog -= 1;
                    return report;
                }
                self.backlog = 0;
            }
            if let Some((channel_id, phone)) = self.failed.pop_front() {
                return (channel_id, phone, PhoneEvent::ReportLost);
            }
            tokio::select! {
                biased;
                report = self.rx.recv() => match report {
                    Some(report) => return report,
                    // `self.tx` keeps the queue open.
                    None => std::future::pending::<()>().await,
                },
                () = self.overflow.notify.notified() => {
                    self.failed.extend(self.overflow.calls.lock().drain(..));
                    self.backlog = self.rx.len();
                }
            }
        }
    }
}

/// The phone calls handed to the gateway and not ended.
pub(crate) struct PhoneCalls {
    gateway: Option<Arc<dyn PstnGateway>>,
    calls: HashSet<Key>,
    /// Made with the first call, so that instances without phone calls pay nothing for it.
    reports: Option<Reports>,
}

impl PhoneCalls {
    /// No call yet; `gateway` as in `SignalingOptions`.
    pub(crate) fn new(gateway: Option<Arc<dyn PstnGateway>>) -> Self {
        Self { gateway, calls: HashSet::new(), reports: None }
    }

    /// Whether `phone_num` is a phone call of this instance about `channel_id`.
    pub(crate) fn is_call(&self, channel_id: &str, phone_num: &str) -> bool {
        self.calls.contains(&key(channel_id, phone_num))
    }

    /// `channel_invite_phone` / `2` / `3`: dials through the gateway, showing `source` (else the
    /// logged-in `account`). Without a gateway: `on_invite_failed(…, 700, extra)`.
    pub(crate) async fn dial(
        &mut self,
        out: &Dispatch,
        account: Option<&str>,
        channel_id: String,
        phone_num: String,
        source: Option<String>,
        extra: String,
    ) {
        let Some(gw) = self.gateway.clone() else {
            let code = LegacyCode::InviteOther.code();
            return out.emit(move |c| c.on_invite_failed(&channel_id, &phone_num, 0, code, &extra)).await;
        };
        let source = source.or_else(|| account.map(str::to_owned)).unwrap_or_default();
        self.calls.insert(key(&channel_id, &phone_num));
        let reporter = self.reports.get_or_insert_with(Reports::new).reporter();
        gw.dial(PhoneCall::new(&channel_id, &phone_num, &source, &extra, reporter));
    }

    /// `channel_invite_end` of a phone call: `on_invite_end_by_myself` at once, and the gateway
    /// hangs up.
    pub(crate) async fn end(&mut self, out: &Dispatch, channel_id: String, phone_num: String) {
        self.calls.remove(&key(&channel_id, &phone_num));
        let (ch, ph) = (channel_id.clone(), phone_num.clone());
        out.emit(move |c| c.on_invite_end_by_myself(&ch, &ph, 0)).await;
        if let Some(gw) = &self.gateway {
            gw.hang_up(&channel_id, &phone_num);
        }
    }

    /// `channel_invite_dtmf` (checked digits) outside any app-to-app call: through the gateway.
    pub(crate) async fn dtmf(&self, out: &Dispatch, channel_id: &str, phone_num: &str, digits: &str) {
        match &self.gateway {
            None => dtmf_error(out, LegacyCode::GeneralFailed, "no PSTN gateway registered".into()).await,
            Some(gw) => {
                if let Err(e) = gw.send_dtmf(channel_id, phone_num, digits) {
                    dtmf_error(out, LegacyCode::GeneralFailed, e.to_string()).await;
                }
            }
        }
    }

    /// The next gateway report; never ready before the first call.
    pub(crate) async fn next_report(&mut self) -> (String, String, PhoneEvent) {
        match self.reports.as_mut() {
            Some(reports) => reports.next().await,
            None => std::future::pending().await,
        }
    }

    /// Reports what the gateway said about a phone call.
    pub(crate) async fn on_report(&mut self, out: &Dispatch, (ch, ph, event): (String, String, PhoneEvent)) {
        match event {
            PhoneEvent::ReceivedByPeer => out.emit(move |c| c.on_invite_received_by_peer(&ch, &ph, 0)).await,
            PhoneEvent::Accepted(extra) => {
                out.emit(move |c| c.on_invite_accepted_by_peer(&ch, &ph, 0, &extra)).await
            }
            PhoneEvent::Message { msg_type, msg_data, extra } => {
                out.emit(move |c| c.on_invite_msg(&ch, &ph, 0, &msg_type, &msg_data, &extra)).await
            }
            PhoneEvent::Refused(extra) => {
                self.calls.remove(&key(&ch, &ph));
                out.emit(move |c| c.on_invite_refused_by_peer(&ch, &ph, 0, &extra)).await
            }
            PhoneEvent::Failed(code) => {
                self.calls.remove(&key(&ch, &ph));
                out.emit(move |c| c.on_invite_failed(&ch, &ph, 0, code, "")).await
            }
            PhoneEvent::EndedByPeer(extra) => {
                self.calls.remove(&key(&ch, &ph));
                out.emit(move |c| c.on_invite_end_by_peer(&ch, &ph, 0, &extra)).await
            }
            PhoneEvent::ReportLost => {
                if !self.calls.remove(&key(&ch, &ph)) {
                    tracing::warn!(channel_id = %ch, phone_num = %ph, "reports of an ended phone call lost");
                    return;
                }
                if let Some(gw) = &self.gateway {
                    gw.hang_up(&ch, &ph);
                }
                let code = LegacyCode::InviteOther.code();
                out.emit(move |c| c.on_invite_failed(&ch, &ph, 0, code, "")).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    fn msg(n: usize) -> PhoneEvent {
        PhoneEvent::Message { msg_type: "dtmf".into(), msg_data: n.to_string(), extra: String::new() }
    }

    #[tokio::test]
    async fn an_overflow_fails_its_call_after_the_reports_queued_before_it() {
        let mut reports = Reports::new();
        let (a, b) = (reports.reporter(), reports.reporter());
        for n in 0..PHONE_REPORT_QUEUE - 1 {
            a.report("ch", "a", msg(n));
        }
        b.report("ch", "b", PhoneEvent::ReceivedByPeer);
        // Full: B's next report fails B; A's fails A; both only once.
        b.report("ch", "b", PhoneEvent::Accepted(String::new()));
        a.report("ch", "a", msg(99));
        a.report("ch", "a", msg(100));
        for n in 0..PHONE_REPORT_QUEUE - 1 {
            assert_eq!(reports.next().await, ("ch".into(), "a".into(), msg(n)));
        }
        assert_eq!(reports.next().await, ("ch".into(), "b".into(), PhoneEvent::ReceivedByPeer));
        assert_eq!(reports.next().await, ("ch".into(), "b".into(), PhoneEvent::ReportLost));
        assert_eq!(reports.next().await, ("ch".into(), "a".into(), PhoneEvent::ReportLost));
        assert_eq!(reports.next().now_or_never(), None, "nothing more");
        // A failed call stays failed; a new one reports as usual.
        a.report("ch", "a", msg(101));
        let c = reports.reporter();
        c.report("ch", "c", PhoneEvent::ReceivedByPeer);
        assert_eq!(reports.next().await, ("ch".into(), "c".into(), PhoneEvent::ReceivedByPeer));
        assert_eq!(reports.next().now_or_never(), None);
    }
}
