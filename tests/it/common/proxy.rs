//! A TCP forwarder that a test puts between one bot process and its PostgreSQL server, and
//! freezes: while frozen no byte passes either way and no connection is closed, as when the
//! network (or a pooler in between) stalls. The operating system still acknowledges every
//! packet, so neither end can tell from TCP alone; each must stop waiting on its own. Thawed,
//! everything held back goes through in order, end of stream included.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Proxy {
    port: u16,
    frozen: watch::Sender<bool>,
    accepting: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards every connection to the server of
    /// `database_url`.
    pub async fn start(database_url: &str) -> Proxy {
        let url = reqwest::Url::parse(database_url).expect("a database URL");
        let host = url.host_str().expect("the database URL names a host");
        let upstream = tokio::net::lookup_host((host, url.port().unwrap_or(5432)))
            .await
            .expect("the database host resolves")
            .next()
            .expect("an address for the database host");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().unwrap().port();
        let (frozen, _) = watch::channel(false);
        let accepting = tokio::spawn(accept(listener, upstream, frozen.clone()));
        Proxy {
            port,
            frozen,
            accepting,
        }
    }

    /// `database_url` through this proxy, its connections named `application_name` (so that
    /// the test can find them in `pg_stat_activity`).
    pub fn url(&self, database_url: &str, application_name: &str) -> String {
        let mut url = reqwest::Url::parse(database_url).expect("a database URL");
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.query_pairs_mut()
            .append_pair("application_name", application_name);
        url.to_string()
    }

    /// From now on nothing passes, in either direction, on any connection (new ones too).
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Everything held back goes through, and traffic flows again.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
        // Dropping the sender ends every connection's pumps.
    }
}

async fn accept(listener: TcpListener, upstream: SocketAddr, frozen: watch::Sender<bool>) {
    while let Ok((client, _)) = listener.accept().await {
        let Ok(server) = TcpStream::connect(upstream).await else {
            continue;
        };
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::spawn(pump(client_read, server_write, frozen.subscribe()));
        tokio::spawn(pump(server_read, client_write, frozen.subscribe()));
    }
}

/// Copies `from` to `to`, holding each chunk (and the end of the stream) while frozen.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut frozen: watch::Receiver<bool>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = from.read(&mut buffer).await.unwrap_or(0);
        if frozen.wait_for(|frozen| !frozen).await.is_err() {
            return;
        }
        if read == 0 || to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
