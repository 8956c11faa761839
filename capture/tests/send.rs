//! The segment sender against a real websocket server that goes away and
//! comes back: nothing lost, nothing duplicated, only text frames.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_capture::pipeline::{Segment, Speaker};
use madoguchi_capture::send::reference::{serve, Seen};
use madoguchi_capture::send::{SegmentSender, SendConfig};
use tokio::net::TcpListener;

fn segment(i: usize) -> Segment {
    Segment {
        start_ms: i as u64 * 1000,
        end_ms: i as u64 * 1000 + 800,
        speaker: if i.is_multiple_of(2) {
            Speaker::Staff
        } else {
            Speaker::Resident
        },
        text: format!("発話{i}"),
    }
}

async fn wait_for(seen: &Arc<Mutex<Seen>>, n: usize) {
    for _ in 0..200 {
        if seen.lock().unwrap().stored.len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server stored {} of {n}", seen.lock().unwrap().stored.len());
}

fn config(addr: SocketAddr, token: &str) -> SendConfig {
    let mut cfg = SendConfig::new(&format!("ws://{addr}/counter"), "窓口1", token);
    cfg.backoff_min = Duration::from_millis(30);
    cfg.backoff_max = Duration::from_millis(200);
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_survive_a_server_restart_in_order_and_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let server = tokio::spawn(serve(listener, seen.clone(), "secret"));

    let sender = SegmentSender::start(config(addr, "secret"));
    for i in 0..10 {
        sender.send(segment(i)).await;
    }
    wait_for(&seen, 10).await;

    // The server goes away (its connections with it) …
    server.abort();
    let _ = server.await;
    for i in 10..20 {
        sender.send(segment(i)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // … and comes back on the same address.
    let listener = TcpListener::bind(addr).await.unwrap();
    let server = tokio::spawn(serve(listener, seen.clone(), "secret"));
    for i in 20..25 {
        sender.send(segment(i)).await;
    }
    let stats = sender.stats.clone();
    assert!(
        sender.finish(Duration::from_secs(10)).await,
        "all segments acknowledged"
    );
    server.abort();

    let s = seen.lock().unwrap();
    let texts: Vec<&str> = s.stored.iter().map(|m| m.text.as_str()).collect();
    let want: Vec<String> = (0..25).map(|i| format!("発話{i}")).collect();
    assert_eq!(texts, want, "every segment once, in order");
    assert!(s.stored.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(s.stored.iter().all(|m| m.counter == "窓口1"));
    assert_eq!(s.stored[1].speaker, Speaker::Resident);
    assert_eq!(s.other_frames, 0, "only text frames: no audio leaves");
    assert_eq!(s.bad_frames, 0, "every frame is a segment");
    assert_eq!(stats.dropped.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(stats.reconnects.load(std::sync::atomic::Ordering::Relaxed) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_is_refused_and_a_full_buffer_drops_the_oldest() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let server = tokio::spawn(serve(listener, seen.clone(), "secret"));

    let mut cfg = config(addr, "guess");
    cfg.buffer = 5;
    let sender = SegmentSender::start(cfg);
    for i in 0..8 {
        sender.send(segment(i)).await;
    }
    let stats = sender.stats.clone();
    assert!(!sender.finish(Duration::from_millis(800)).await);
    server.abort();
    let s = seen.lock().unwrap();
    assert!(s.stored.is_empty());
    assert!(s.rejected >= 1);
    assert_eq!(stats.dropped.load(std::sync::atomic::Ordering::Relaxed), 3);
}
