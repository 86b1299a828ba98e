//! Wire round trips and hostile input for every [`Service`] variant.

use super::*;

fn round_trip(service: Service) {
    let mut w = Writer::new();
    service.write(&mut w).unwrap();
    let buf = w.into_vec();
    let mut r = Reader::new(&buf);
    let ty = r.u16().unwrap();
    assert_eq!(ty, service.service_type());
    assert_eq!(Service::read(ty, &mut r).unwrap(), Some(service));
    r.finish().unwrap();
}

#[test]
fn every_variant_round_trips() {
    let p = Privileges::from([(1, 60), (2, 120)]);
    let s = String::from;
    let permissions = Rtm2Permissions::from([
        (0, BTreeMap::from([(0, vec![s("a"), s("b")]), (1, vec![])])),
        (4, BTreeMap::from([(1, vec![s("user")])])),
    ]);
    for service in [
        Service::Rtc { channel_name: s("ch"), uid: s("7"), privileges: p.clone() },
        Service::Rtm { user_id: s("u"), privileges: p.clone() },
        Service::Streaming { channel_name: s("ch"), account: s("a"), privileges: p.clone() },
        Service::Fpa { privileges: p.clone() },
        Service::Chat { user_id: s(""), privileges: p.clone() },
        Service::FCdn { channel_name: s("ch"), account: s("a"), privileges: p.clone() },
        Service::Apaas { room_uuid: s("r"), user_uuid: s("u"), role: -1, privileges: p.clone() },
        Service::Rtm2 { user_id: s("u"), privileges: p.clone(), permissions },
        Service::ConvoAi { privileges: p.clone() },
        Service::Stt { privileges: p },
    ] {
        round_trip(service);
    }
}

#[test]
fn unknown_types_are_not_parsed() {
    for ty in [0, 11, u16::MAX] {
        assert_eq!(Service::read(ty, &mut Reader::new(&[0, 0])), Ok(None));
    }
}

#[test]
fn truncated_tail_is_malformed() {
    // Rtm2 claiming 65535 resource types but providing none.
    let buf = [0, 0, 0, 0, 0xff, 0xff];
    assert_eq!(Service::read(SERVICE_RTM2, &mut Reader::new(&buf)), Err(TokenError::Malformed));
    let buf = [0, 0, 5, 0, b'a'];
    assert_eq!(Service::read(SERVICE_RTM, &mut Reader::new(&buf)), Err(TokenError::Malformed));
}
