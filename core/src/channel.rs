//! Channels on the client: the [`Channel`] handle, its events, member counts, channel
//! attributes, and publishing without membership.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::attributes::{Attribute, AttributeUpdate, ChannelAttribute};
use crate::client::Client;
use crate::error::{
    AttributeError, ChannelMemberCountError, ChannelMessageError, GetMembersError, JoinChannelError,
    LeaveChannelError,
};
use crate::message::Message;
use crate::protocol::{ChannelMemberCount, Reply, Request};

/// One event of a channel, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelEvent {
    /// Another member sent a message (never one's own).
    MessageReceived {
        /// The sender.
        peer_id: String,
        /// The message, with its server id and timestamp.
        message: Message,
    },
    /// Another user joined.
    MemberJoined(String),
    /// Another user left.
    MemberLeft(String),
    /// The member count (once on join, then on change, at most once per second).
    MemberCountUpdated(usize),
    /// The channel's attributes changed, when the updater asked to notify: the whole set, as
    /// RTM reports it, and whether the change was a clear (a sigshim addition: RTM's event does
    /// not say which operation emptied a set).
    AttributesUpdated {
        /// Every attribute now.
        attributes: Vec<ChannelAttribute>,
        /// True when the update was [`Client::clear_channel_attributes`](crate::Client::clear_channel_attributes).
        cleared: bool,
    },
}

/// How many unread events a [`ChannelEvents`] stream holds.
pub const CHANNEL_EVENTS_CAPACITY: usize = 1024;

/// The events of one channel, in the order they happened. Read it, or drop it to ignore them.
///
/// # Bound
/// The stream holds at most [`CHANNEL_EVENTS_CAPACITY`] unread events. When it is full, the
/// client's task that reads the link waits for the application to read, so the client's other
/// events (and the hub's pushes to it) wait too, and the hub's slow-consumer policy applies.
/// No event is dropped while the stream exists; a dropped stream receives nothing.
#[derive(Debug)]
pub struct ChannelEvents {
    rx: mpsc::Receiver<ChannelEvent>,
}

impl ChannelEvents {
    /// The next event; `None` once the channel handle and client are gone.
    pub async fn recv(&mut self) -> Option<ChannelEvent> {
        self.rx.recv().await
    }

    /// The next event if one is ready.
    pub fn try_recv(&mut self) -> Option<ChannelEvent> {
        self.rx.try_recv().ok()
    }
}

impl futures_core::Stream for ChannelEvents {
    type Item = ChannelEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ChannelEvent>> {
        self.rx.poll_recv(cx)
    }
}

/// A channel of a client: join, leave, send, list members.
///
/// # Examples
/// Two users join a channel; a message from one reaches the other, never its sender:
/// ```
/// use sigshim::channel::ChannelEvent;
/// use sigshim::{Client, Hub, HubConfig, Message};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hub = Hub::new(HubConfig::new("demo-app"));
/// let (alice, _) = Client::builder("demo-app").hub(&hub).build();
/// let (bob, _) = Client::builder("demo-app").hub(&hub).build();
/// alice.login(None, "alice").await.unwrap();
/// bob.login(None, "bob").await.unwrap();
///
/// let (bob_room, mut bob_events) = bob.create_channel("room");
/// bob_room.join().await.unwrap();
/// let (alice_room, mut alice_events) = alice.create_channel("room");
/// alice_room.join().await.unwrap();
/// let mut members = alice_room.get_members().await.unwrap();
/// members.sort();
/// assert_eq!(members, ["alice", "bob"]);
///
/// alice_room.send_message(&Message::text("hello, room")).await.unwrap();
/// let (from, text) = loop {
///     // Member events and counts come first (bob saw alice join).
///     match bob_events.recv().await {
///         Some(ChannelEvent::MessageReceived { peer_id, message }) => {
///             break (peer_id, message.text_or_description().to_owned());
///         }
///         Some(_) => continue,
///         None => panic!("the stream ended"),
///     }
/// };
/// assert_eq!((from.as_str(), text.as_str()), ("alice", "hello, room"));
/// while let Some(event) = alice_events.try_recv() {
///     assert!(!matches!(event, ChannelEvent::MessageReceived { .. }), "never one's own message");
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Channel {
    client: Client,
    id: String,
}

/// Options of a channel attribute change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelAttributeOptions {
    /// Push the whole new set to the channel's members.
    pub enable_notification_to_channel_members: bool,
}

impl Channel {
    /// The channel ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Joins the channel (at most 20 joined channels per client by default).
    pub async fn join(&self) -> Result<(), JoinChannelError> {
        self.client.call::<JoinChannelError>(Request::JoinChannel { channel_id: self.id.clone() }).await?;
        self.client.shared().conn.lock().restore.channels.insert(self.id.clone());
        Ok(())
    }

    /// Leaves the channel.
    pub async fn leave(&self) -> Result<(), LeaveChannelError> {
        let r = self
            .client
            .call::<LeaveChannelError>(Request::LeaveChannel { channel_id: self.id.clone() })
            .await;
        self.client.shared().conn.lock().restore.channels.remove(&self.id);
        r.map(drop)
    }

    /// Sends a message to the other members; `Ok` means the server received it.
    pub async fn send_message(&self, message: &Message) -> Result<(), ChannelMessageError> {
        if !message.fits(&self.client.shared().limits()) {
            return Err(ChannelMessageError::InvalidMessage);
        }
        let request = Request::SendChannelMessage { channel_id: self.id.clone(), message: message.clone() };
        self.client.call::<ChannelMessageError>(request).await.map(drop)
    }

    /// The members (at most 512 by default; the channel must be joined).
    pub async fn get_members(&self) -> Result<Vec<String>, GetMembersError> {
        match self.client.call::<GetMembersError>(Request::GetMembers { channel_id: self.id.clone() }).await?
        {
            Reply::Members { user_ids } => Ok(user_ids),
            _ => Err(GetMembersError::Failure),
        }
    }
}

impl Client {
    /// A handle on channel `channel_id` and the stream of its events (creating a handle again
    /// for the same channel redirects its events to the new stream). Needs no login.
    pub fn create_channel(&self, channel_id: &str) -> (Channel, ChannelEvents) {
        self.create_channel_with_capacity(channel_id, CHANNEL_EVENTS_CAPACITY)
    }

    /// [`create_channel`](Self::create_channel) with a stream of `capacity` events.
    pub(crate) fn create_channel_with_capacity(
        &self,
        channel_id: &str,
        capacity: usize,
    ) -> (Channel, ChannelEvents) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.shared().channel_events.lock().insert(channel_id.to_owned(), tx);
        (Channel { client: self.clone(), id: channel_id.to_owned() }, ChannelEvents { rx })
    }

    /// Sends a channel message without being a member (a sigshim extension for the legacy
    /// force-send): members receive it as from this user; no member events follow.
    pub async fn publish_to_channel(
        &self,
        channel_id: &str,
        message: &Message,
    ) -> Result<(), ChannelMessageError> {
        if !message.fits(&self.shared().limits()) {
            return Err(ChannelMessageError::InvalidMessage);
        }
        let request =
            Request::PublishChannelMessage { channel_id: channel_id.to_owned(), message: message.clone() };
        self.call::<ChannelMessageError>(request).await.map(drop)
    }

    /// Member counts of up to 32 channels (membership not needed; 0 for an unknown channel).
    pub async fn get_channel_member_count(
        &self,
        channel_ids: &[&str],
    ) -> Result<Vec<ChannelMemberCount>, ChannelMemberCountError> {
        let channel_ids = channel_ids.iter().map(|c| c.to_string()).collect();
        match self.call::<ChannelMemberCountError>(Request::GetChannelMemberCount { channel_ids }).await? {
            Reply::MemberCounts { counts } => Ok(counts),
            _ => Err(ChannelMemberCountError::Failure),
        }
    }

    /// Whether `user_id` is a member of `channel_id` (membership not needed; a sigshim
    /// extension for the legacy `channelQueryUserIsIn`). Shares the `get_members` budget.
    pub async fn is_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<bool, ChannelMemberCountError> {
        let request =
            Request::QueryChannelMember { channel_id: channel_id.to_owned(), user_id: user_id.to_owned() };
        match self.call::<ChannelMemberCountError>(request).await? {
            Reply::IsMember { is_member } => Ok(is_member),
            _ => Err(ChannelMemberCountError::Failure),
        }
    }

    async fn update_channel(
        &self,
        channel_id: &str,
        update: AttributeUpdate,
        options: ChannelAttributeOptions,
    ) -> Result<(), AttributeError> {
        update.check(&self.shared().limits())?;
        let notify = options.enable_notification_to_channel_members;
        let request = Request::UpdateChannelAttributes { channel_id: channel_id.to_owned(), update, notify };
        self.call::<AttributeError>(request).await.map(drop)
    }

    /// Replaces a channel's attributes.
    pub async fn set_channel_attributes(
        &self,
        channel_id: &str,
        attributes: &[Attribute],
        options: ChannelAttributeOptions,
    ) -> Result<(), AttributeError> {
        self.update_channel(channel_id, AttributeUpdate::Set { attributes: attributes.to_vec() }, options)
            .await
    }

    /// Adds or overwrites a channel's attributes by key.
    pub async fn add_or_update_channel_attributes(
        &self,
        channel_id: &str,
        attributes: &[Attribute],
        options: ChannelAttributeOptions,
    ) -> Result<(), AttributeError> {
        self.update_channel(
            channel_id,
            AttributeUpdate::AddOrUpdate { attributes: attributes.to_vec() },
            options,
        )
        .await
    }

    /// Removes a channel's attributes with these keys.
    pub async fn delete_channel_attributes_by_keys(
        &self,
        channel_id: &str,
        keys: &[&str],
        options: ChannelAttributeOptions,
    ) -> Result<(), AttributeError> {
        let keys = keys.iter().map(|k| k.to_string()).collect();
        self.update_channel(channel_id, AttributeUpdate::DeleteKeys { keys }, options).await
    }

    /// Removes all of a channel's attributes.
    pub async fn clear_channel_attributes(
        &self,
        channel_id: &str,
        options: ChannelAttributeOptions,
    ) -> Result<(), AttributeError> {
        self.update_channel(channel_id, AttributeUpdate::Clear, options).await
    }

    async fn channel_attributes(
        &self,
        channel_id: &str,
        keys: Option<Vec<String>>,
    ) -> Result<Vec<ChannelAttribute>, AttributeError> {
        let request = Request::GetChannelAttributes { channel_id: channel_id.to_owned(), keys };
        match self.call::<AttributeError>(request).await? {
            Reply::ChannelAttributes { attributes } => Ok(attributes),
            _ => Err(AttributeError::Failure),
        }
    }

    /// All attributes of a channel, with who set each and when.
    pub async fn get_channel_attributes(
        &self,
        channel_id: &str,
    ) -> Result<Vec<ChannelAttribute>, AttributeError> {
        self.channel_attributes(channel_id, None).await
    }

    /// The attributes of a channel with these keys.
    pub async fn get_channel_attributes_by_keys(
        &self,
        channel_id: &str,
        keys: &[&str],
    ) -> Result<Vec<ChannelAttribute>, AttributeError> {
        self.channel_attributes(channel_id, Some(keys.iter().map(|k| k.to_string()).collect())).await
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::time::Duration;

    use futures_core::Stream;

    use super::{ChannelEvent, ChannelEvents};
    use crate::message::{Message, SendMessageOptions};
    use crate::{Client, ClientEvent, Hub, HubConfig};

    /// The next event through the `Stream` implementation.
    /// The stream's next item, read through `Stream::poll_next`; fails the test when none
    /// comes (on a paused clock the deadline passes as soon as every task waits).
    async fn next(events: &mut ChannelEvents) -> Option<ChannelEvent> {
        let item = std::future::poll_fn(|cx| Pin::new(&mut *events).poll_next(cx));
        tokio::time::timeout(std::time::Duration::from_secs(10), item).await.expect("the stream answers")
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_stream_holds_the_client_back_and_loses_nothing() {
        let hub = Hub::new(HubConfig::new("chan-app"));
        let (alice, _) = Client::builder("chan-app").hub(&hub).build();
        let (bob, mut bob_events) = Client::builder("chan-app").hub(&hub).build();
        alice.login(None, "alice").await.unwrap();
        bob.login(None, "bob").await.unwrap();
        let (bob_channel, mut bob_channel_events) = bob.create_channel_with_capacity("room", 2);
        bob_channel.join().await.unwrap();
        let (alice_channel, _) = alice.create_channel("room");
        alice_channel.join().await.unwrap();
        // Let the joins' member events and count updates pass, then forget them.
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if bob_channel_events.try_recv().is_none() {
                break;
            }
            while bob_channel_events.try_recv().is_some() {}
        }
        while bob_events.try_recv().is_some() {}

        for i in 0..5 {
            alice_channel.send_message(&Message::text(i.to_string())).await.unwrap();
        }
        alice
            .send_message_to_peer("bob", &Message::text("after"), SendMessageOptions::default())
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(bob_events.try_recv().is_none(), "the peer message waits behind the full channel stream");

        let mut texts = Vec::new();
        for _ in 0..5 {
            match next(&mut bob_channel_events).await {
                Some(ChannelEvent::MessageReceived { peer_id, message }) => {
                    assert_eq!(peer_id, "alice");
                    texts.push(message.text_or_description().to_owned());
                }
                other => panic!("expected a message, got {other:?}"),
            }
        }
        assert_eq!(texts, ["0", "1", "2", "3", "4"]);
        match tokio::time::timeout(Duration::from_secs(1), bob_events.recv()).await {
            Ok(Some(ClientEvent::MessageFromPeer { message, .. })) => {
                assert_eq!(message.text_or_description(), "after");
            }
            other => panic!("expected the peer message, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_stream_ends_when_the_handle_is_created_again() {
        let hub = Hub::new(HubConfig::new("chan-app"));
        let (bob, _) = Client::builder("chan-app").hub(&hub).build();
        let (_, mut first) = bob.create_channel("room");
        let (_, _second) = bob.create_channel("room");
        assert_eq!(next(&mut first).await, None);
    }
}
