//! An HTTP receiver on loopback standing in for an outside service (a chat robot, an SMS
//! provider): it keeps every request and answers each as the test says.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request received, and whether it was answered with a failure.
#[derive(Debug, Clone)]
pub struct Request {
    /// The path and query.
    pub target: String,
    pub body: Vec<u8>,
    pub failed: bool,
}

impl Request {
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|x| x.1).unwrap_or("")
    }
}

/// The answer to a request: HTTP status line part (`200 OK`), JSON body, and whether it
/// counts as a failure.
pub type Answer = (&'static str, String, bool);

pub struct Receiver {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Receiver {
    /// Starts it; `answer` sees the requests so far and the new one.
    pub fn start(answer: impl Fn(&[Request], &Request) -> Answer + Send + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let target = line.split(' ').nth(1).unwrap_or_default().to_string();
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let mut all = seen.lock().unwrap();
                let mut req = Request {
                    target,
                    body,
                    failed: false,
                };
                let (status, text, failed) = answer(&all, &req);
                req.failed = failed;
                all.push(req);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Receiver { base, requests }
    }

    pub fn all(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}
