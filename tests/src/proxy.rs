//! A TCP proxy for tests and benchmarks: counts bytes each way and can cut connections after a
//! number of upstream bytes (a weak rural link dropping mid-body).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
pub struct Counters {
    /// Client → server bytes.
    pub up: AtomicU64,
    /// Server → client bytes.
    pub down: AtomicU64,
    /// When ≥ 0: cut the connection carrying the byte that passes this many upstream bytes,
    /// then disarm (set to -1).
    pub cut_after_up: AtomicI64,
    pub cuts: AtomicU64,
    /// Extra delay per forwarded buffer, milliseconds.
    pub delay_ms: AtomicU64,
}

pub struct Proxy {
    pub addr: String,
    pub counters: Arc<Counters>,
}

impl Proxy {
    pub fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let counters = Arc::new(Counters {
            cut_after_up: AtomicI64::new(-1),
            ..Default::default()
        });
        let c = counters.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (c1, c2) = (c.clone(), c.clone());
                let (client2, server2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pump(client, server, &c1, true));
                std::thread::spawn(move || pump(server2, client2, &c2, false));
            }
        });
        Proxy { addr, counters }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, c: &Counters, upstream: bool) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let delay = c.delay_ms.load(Ordering::Relaxed);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay));
        }
        let mut send = n;
        let mut cut = false;
        if upstream {
            let before = c.up.fetch_add(n as u64, Ordering::SeqCst);
            let limit = c.cut_after_up.load(Ordering::SeqCst);
            if limit >= 0 && before + n as u64 > limit as u64 {
                send = (limit as u64).saturating_sub(before) as usize;
                c.up.fetch_sub((n - send) as u64, Ordering::SeqCst);
                c.cut_after_up.store(-1, Ordering::SeqCst);
                c.cuts.fetch_add(1, Ordering::SeqCst);
                cut = true;
            }
        } else {
            c.down.fetch_add(n as u64, Ordering::SeqCst);
        }
        if to.write_all(&buf[..send]).is_err() || cut {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
