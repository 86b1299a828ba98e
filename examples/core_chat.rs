//! The chat of `legacy_chat.rs`, written against the core API.
//!
//! `cargo run --example core_chat`. Calls are `async` and return their result; inbound traffic
//! is an event stream instead of callbacks.

use sigshim::{Attribute, Client, ClientEvent, Hub, HubConfig, Message, SendMessageOptions};

const APP_ID: &str = "example-app";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The embedded hub both clients meet on; a client always says which hub it reaches.
    let hub = Hub::new(HubConfig::new(APP_ID));
    let (alice, _alice_events) = Client::builder(APP_ID).hub(&hub).build();
    let (bob, mut bob_events) = Client::builder(APP_ID).hub(&hub).build();

    alice.login(None, "alice").await?;
    println!("alice logged in");
    bob.login(None, "bob").await?;
    println!("bob logged in");

    let status = alice.query_peers_online_status(&["bob"]).await?;
    println!("alice sees {status:?}");

    let receipt =
        alice.send_message_to_peer("bob", &Message::text("hi bob"), SendMessageOptions::default()).await?;
    println!("alice sent message {} (bob received it)", receipt.id);
    while let Some(ev) = bob_events.recv().await {
        if let ClientEvent::MessageFromPeer { peer_id, message, .. } = ev {
            println!("bob got from {peer_id}: {}", message.text_or_description());
            break;
        }
    }

    bob.add_or_update_local_user_attributes(&[Attribute::new("status", "away")]).await?;
    let attrs = alice.get_user_attributes_by_keys("bob", &["status"]).await?;
    println!("alice reads bob.status = {}", attrs[0].value);

    alice.logout().await?;
    bob.logout().await?;
    Ok(())
}
